"""What a person's browser sends back with a form: its hidden fields, read from the page."""

HIDDEN = ("token", "version", "status")


def shown(client, url, *, form="form"):
    """The one-time token and what the form on ``url`` was shown for (version, status)."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    bound = response.context[form]
    return {
        name: bound[name].value()
        for name in HIDDEN
        if name in bound.fields and bound[name].value() not in (None, "")
    }
