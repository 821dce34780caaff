"""Cache cleanups are held back while a later RUN installs offline from the cache."""

from __future__ import annotations

import pytest

from dfopt.api import fix

YARN = "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN yarn install\n"
NPM = "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\n"


@pytest.mark.parametrize(
    ("text", "rule", "cleanup"),
    [
        (YARN + "RUN yarn install --offline --production\n", "DL3060", "yarn cache clean"),
        (YARN + "RUN sudo yarn install --offline\n", "DL3060", "yarn cache clean"),
        (YARN + "RUN ./build.sh\n", "DL3060", "yarn cache clean"),
        (NPM + "RUN npm ci --offline --omit=dev\n", "DF103", "npm cache clean"),
        (NPM + "RUN npm_config_offline=true npm ci\n", "DF103", "npm cache clean"),
        (NPM + 'RUN sh -c "npm install --offline"\n', "DF103", "npm cache clean"),
    ],
)
def test_no_cleanup_before_an_offline_install(text: str, rule: str, cleanup: str) -> None:
    first = text.splitlines()[3]
    fixed = fix(text, select=[rule]).text.splitlines()
    assert fixed[3] == first, cleanup


@pytest.mark.parametrize(
    ("text", "rule", "cleanup"),
    [
        (YARN + "RUN yarn build\n", "DL3060", "yarn cache clean"),
        (NPM + "RUN npm run build\n", "DF103", "npm cache clean"),
    ],
)
def test_the_cleanup_is_appended_otherwise(text: str, rule: str, cleanup: str) -> None:
    assert cleanup in fix(text, select=[rule]).text
