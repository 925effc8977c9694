"""Language choice: Chinese unless the user has switched, whatever the browser says."""

from django.conf import settings
from django.utils import translation


class CookieLocaleMiddleware:
    """Activate the language saved by the switcher's cookie, else LANGUAGE_CODE.

    Django's LocaleMiddleware would follow the browser's Accept-Language, and an
    English-language browser in a county office would then get an English portal.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class ContentSecurityPolicyMiddleware:
    """Send the Content-Security-Policy: scripts, style sheets, images and fonts from this
    site only, no inline script, no framing, forms posted here only (style attributes are
    allowed: the SVG charts need them). The pages keep to it (charts read their data from
    JSON in the page), and the browser tests fail on any violation Chromium reports.
    CONTENT_SECURITY_POLICY="" turns it off."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Content-Security-Policy", self.policy)
        return response
