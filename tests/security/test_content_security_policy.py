"""Every page carries Django's Content-Security-Policy and satisfies it: its inline scripts and
styles carry the page's nonce, and nothing else inline (no style or on... attributes)."""

import re

import pytest

from tests.security.test_no_input_gives_a_500 import _paths

INLINE = re.compile(r"<(script|style)\b([^>]*)>", re.IGNORECASE)
ATTRIBUTE = re.compile(r"""<[^>]*\s(style|on[a-z]+)\s*=\s*["'][^>]*>""", re.IGNORECASE)


def test_pages_carry_the_policy(client, db):
    response = client.get("/about/")

    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"].startswith("'self' 'nonce-")
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy


def test_the_inline_script_carries_the_nonce_of_the_header(client, db):
    response = client.get("/about/")

    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])[1]
    assert f'<script nonce="{nonce}">document.body.className' in response.content.decode()
    # A new nonce for each answer.
    assert nonce not in client.get("/about/")["Content-Security-Policy"]


@pytest.mark.parametrize("persona", ["met_user", "admin_user"])
def test_every_page_satisfies_the_policy(client, public_world, request, persona):
    client.force_login(request.getfixturevalue(persona))
    problems = []
    for path in _paths(public_world):
        response = client.get(path)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        policy = response.get("Content-Security-Policy", "")
        if "default-src 'self'" not in policy:
            problems.append(f"{path}: no policy")
        # The policy names a nonce only when the page used one.
        match = re.search(r"'nonce-([^']+)'", policy)
        nonce = f'nonce="{match[1]}"' if match else "no nonce"
        for tag, attributes in INLINE.findall(html):
            if "src=" not in attributes and nonce not in attributes:
                problems.append(f"{path}: <{tag}{attributes}> without the nonce")
        problems.extend(f"{path}: {found[:80]}" for found in ATTRIBUTE.findall(html))

    assert problems == []
