"""portal/httpenv.py: the proxy environment read once per origin says what requests says."""

import pytest
import requests

from portal import httpenv

URLS = ["http://127.0.0.1:8774/v2.1/servers/detail?limit=50", "http://127.0.0.1:9696/v2.0/ports",
        "https://cloud.example:5000/v3/auth/tokens", "http://10.1.2.3:8776/v3/x/volumes"]


@pytest.fixture
def proxied_env(monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("HTTPS_PROXY", "http://tls-proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    httpenv.forget()
    yield
    httpenv.forget()


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("verify", [True, False, "/tmp/ca.pem"])
def test_settings_are_those_requests_reads(proxied_env, url, verify):
    plain = requests.Session()
    cached = httpenv.read_once(requests.Session())
    want = plain.merge_environment_settings(url, {}, False, verify, None)
    assert cached.merge_environment_settings(url, {}, False, verify, None) == want
    # Twice: the second answer comes from the cache and is the same.
    assert cached.merge_environment_settings(url, {}, False, verify, None) == want


def test_no_proxy_hosts_go_direct_and_others_through_the_proxy(proxied_env):
    cached = httpenv.read_once(requests.Session())
    assert cached.merge_environment_settings(URLS[0], {}, False, True, None)["proxies"] == {}
    through = cached.merge_environment_settings(URLS[2], {}, False, True, None)["proxies"]
    assert through["https"] == "http://tls-proxy.example:3128"


def test_the_environment_is_read_once_per_origin(proxied_env, monkeypatch):
    reads = []
    real = requests.sessions.get_environ_proxies
    monkeypatch.setattr(requests.sessions, "get_environ_proxies",
                        lambda url, no_proxy=None: reads.append(url) or real(url, no_proxy))
    cached = httpenv.read_once(requests.Session())
    for _ in range(5):
        for url in URLS[:2]:
            cached.merge_environment_settings(url, {}, False, True, None)
    assert len(reads) == 2


def test_a_caller_proxies_dict_is_filled_in_as_requests_does(proxied_env):
    mine: dict = {}
    httpenv.read_once(requests.Session()).merge_environment_settings(URLS[2], mine, False,
                                                                     True, None)
    assert mine["https"] == "http://tls-proxy.example:3128"


def test_a_session_with_settings_of_its_own_merges_them_as_requests_does(proxied_env):
    def own():
        session = requests.Session()
        session.proxies = {"ftp": "http://mine.example:8080"}
        session.verify = "/tmp/own-ca.pem"
        return session

    url = "http://10.1.2.3:8776/v3/x/volumes"
    want = own().merge_environment_settings(url, {}, False, None, None)
    said = httpenv.read_once(own()).merge_environment_settings(url, {}, False, None, None)
    assert said == want and said["proxies"]["ftp"] == "http://mine.example:8080"
