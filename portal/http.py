"""Who is asking: the client's address, the same way for log-in throttling and anything else.

Behind a reverse proxy every request arrives from the proxy, so REMOTE_ADDR is the proxy's
address. Each proxy appends the address it was connected from to X-Forwarded-For; with
TRUSTED_PROXY_COUNT proxies in front, the entry that many places from the right was written
by the outermost of them and is the client. Entries further left came from the client itself
and prove nothing. With no trusted proxy (the default) the header is ignored altogether.
"""

import ipaddress

from django.conf import settings


def _address(value):
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request):
    """The client's IP address, trusting X-Forwarded-For only as far as TRUSTED_PROXY_COUNT."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if len(hops) >= count:
            address = _address(hops[-count])
            if address is not None:
                return address
    # Directly connected, or a header the trusted proxies did not write (too short, not an
    # address): the connection's own address.
    return _address(remote) or remote or None
