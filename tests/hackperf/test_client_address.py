"""The client address behind the trusted proxies (hackperf.client_address)."""

import pytest
from django.test import RequestFactory

from hackperf.client_address import client_address


def request(**meta):
    return RequestFactory().get("/", **meta)


class ClientAddressTests:
    def test_it_trusts_only_remote_addr_without_proxies(self, settings):
        settings.TRUSTED_PROXY_COUNT = 0
        assert client_address(request(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4")) == (
            "10.0.0.5"
        )

    @pytest.mark.parametrize(
        ("forwarded", "count", "expected"),
        [
            ("10.2.2.2", 1, "10.2.2.2"),
            # Entries left of the proxy's own were written by the client: never believed.
            ("6.6.6.6, 10.2.2.2", 1, "10.2.2.2"),
            ("6.6.6.6, 10.2.2.2, 10.3.3.3", 2, "10.2.2.2"),
            ("2001:db8::1", 1, "2001:db8::1"),
            # Too few entries (not through the proxies) or junk: the peer's own address.
            ("", 1, "10.1.1.1"),
            ("10.2.2.2", 2, "10.1.1.1"),
            ("not-an-address", 1, "10.1.1.1"),
            ("10.2.2.2\x00", 1, "10.1.1.1"),
        ],
    )
    def test_it_takes_the_entry_the_trusted_proxy_wrote(self, settings, forwarded, count, expected):
        settings.TRUSTED_PROXY_COUNT = count
        meta = {"REMOTE_ADDR": "10.1.1.1", "HTTP_X_FORWARDED_FOR": forwarded}
        assert client_address(request(**meta)) == expected

    def test_it_is_always_an_address(self, settings):
        settings.TRUSTED_PROXY_COUNT = 0
        assert client_address(request(REMOTE_ADDR="")) == "0.0.0.0"
