import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from hackperf.services import role_groups_sync

PASSWORD = "a-good-password-1"
"""Every factory-made user's password, for tests that sign in through the sign-in page."""


class UserFactory(factory.django.DjangoModelFactory):
    """A user; ``roles=(Role.DMT, ...)`` puts them in those role groups."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    email = factory.LazyAttribute(lambda u: f"{u.username}@hackney.example")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if not create or not extracted:
            return
        # Groups come from a data migration; a flushed (transactional) test database has
        # lost them, so make sure they exist.
        role_groups_sync()
        self.groups.set(Group.objects.filter(name__in=[role.value for role in extracted]))
