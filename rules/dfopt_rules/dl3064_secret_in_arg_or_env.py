"""DL3064: an ARG or ENV name that looks like it holds a secret."""

from __future__ import annotations

from collections.abc import Iterator

from dfopt.rules_api import Context, Instruction, Rule, Severity, Violation
from dfopt_rules._instructions import name_values, unquote

# Names hadolint knows to hold credentials (compared upper-cased).
KNOWN_SENSITIVE_NAMES = frozenset(
    {
        "ACCESS_TOKEN",
        "APPLICATION_KEY",
        "APP_SECRET",
        "AUTH_TOKEN",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "BITTREX_API_KEY",
        "BITTREX_API_SECRET",
        "CF_PASSWORD",
        "CF_USERNAME",
        "CIRCLE_TOKEN",
        "CI_DEPLOY_PASSWORD",
        "CI_DEPLOY_USER",
        "DOCKERHUB_PASSWORD",
        "DOCKER_EMAIL",
        "DOCKER_PASSWORD",
        "DOCKER_USERNAME",
        "FACEBOOK_ACCESS_TOKEN",
        "FACEBOOK_APP_ID",
        "FACEBOOK_APP_SECRET",
        "FIREBASE_API_TOKEN",
        "FIREBASE_TOKEN",
        "FOSSA_API_KEY",
        "GH_ENTERPRISE_TOKEN",
        "GH_TOKEN",
        "GITHUB_ENTERPRISE_TOKEN",
        "GITHUB_TOKEN",
        "HEROKU_API_KEY",
        "HEROKU_API_USER",
        "NPM_AUTH_TOKEN",
        "NPM_TOKEN",
        "OKTA_AUTHN_GROUPID",
        "OKTA_CLIENT_ORGURL",
        "OKTA_CLIENT_TOKEN",
        "OKTA_OAUTH2_CLIENTID",
        "OKTA_OAUTH2_CLIENTSECRET",
        "OPENAI_API_KEY",
        "OS_PASSWORD",
        "OS_USERNAME",
        "POSTGRES_PASSWORD",
        "SLACK_TOKEN",
        "STRIPE_API_KEY",
        "STRIPE_DEVICE_NAME",
        "TRAVIS_OS_NAME",
        "TRAVIS_SECURE_ENV_VARS",
        "TRAVIS_SUDO",
        "VAULT_CLIENT_KEY",
        "VAULT_TOKEN",
    }
)
# Parts that make any name suspicious (compared lower-cased, anywhere in the name).
SUSPICIOUS_SUBSTRINGS = (
    "api_key",
    "client_key",
    "password",
    "private",
    "secret",
    "token",
    "username",
)


def looks_sensitive(name: str) -> bool:
    """True when hadolint's DL3064 would call ``name`` sensitive."""
    if name.upper() in KNOWN_SENSITIVE_NAMES:
        return True
    lowered = name.lower()
    return any(part in lowered for part in SUSPICIOUS_SUBSTRINGS)


class SecretInArgOrEnv(Rule):
    """## What it does
    Flags an `ARG` or `ENV` whose name suggests it carries a secret, with hadolint's DL3064
    list: a set of well-known names (`GITHUB_TOKEN`, `AWS_SECRET_ACCESS_KEY`,
    `NPM_TOKEN`, `POSTGRES_PASSWORD`, ...) and any name containing `api_key`,
    `client_key`, `password`, `private`, `secret`, `token` or `username`, in any case.
    Global `ARG`s and `ONBUILD ARG`/`ONBUILD ENV` are checked too. Each suspicious name
    is reported at its position.

    BuildKit's `SecretsUsedInArgOrEnv` check (an alias of this rule) uses a different list:
    it looks for the whole words `apikey`, `auth`, `credential(s)`, `key`, `password`,
    `pword`, `passwd`, `secret` or `token` between underscores (so `MY_KEY` and `AUTH`
    match there but not here), does not know the well-known names, does not match parts
    of words (`GITHUB_TOKENS`, `USERNAME`, `PRIVATE_KEY_PATH` match here, not all there),
    and skips names containing the word `public`. This rule keeps hadolint's list so
    existing `# hadolint ignore=DL3064` pragmas keep meaning the same.

    ## Why is this bad?
    `ARG` values are recorded in the image history and `ENV` values in the image
    configuration, so anyone who can pull the image can read them. Secrets needed during
    the build belong in a secret mount (`RUN --mount=type=secret,id=token ...`), and
    secrets needed at run time should be passed when the container starts.
    """

    code = "DL3064"
    name = "secret-in-arg-or-env"
    summary = "Potentially sensitive data should not be used in the ARG or ENV commands"
    severity = Severity.WARNING
    targets = frozenset({"ARG", "ENV"})
    aliases = ("SecretsUsedInArgOrEnv",)
    bad = "FROM node:22-alpine\nARG NPM_TOKEN\nRUN npm ci\n"
    good = "FROM node:22-alpine\nRUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci\n"

    def check(self, instruction: Instruction, ctx: Context) -> Iterator[Violation]:
        target = instruction.effective
        for pair in name_values(target, ctx.escape):
            name, _quote = unquote(pair.key)
            if name and looks_sensitive(name):
                yield self.violation(
                    pair.key_span,
                    f"`{name}` looks like a secret; `{target.keyword}` values are stored "
                    "in the image, use a secret mount instead",
                )
