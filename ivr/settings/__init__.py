"""Parsers for settings: each error names the variable, so a bad value stops the start in one line."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


class ConfigError(ValueError):
    """A setting is missing or wrong; the message starts with the variable's name."""


def truthy(name: str, value: object | None) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ConfigError(f"{name}: {value!r} is not 1/0, true/false, yes/no or on/off")


def number(name: str, value: object | None, default: float, low: float | None = None,
           high: float | None = None) -> float:  # fmt: skip
    if value is None:
        return default
    try:
        parsed = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ConfigError(f"{name}: {value!r} is not a number") from None
    if (low is not None and parsed < low) or (high is not None and parsed > high):
        bounds = f"at least {low}" if high is None else f"between {low} and {high}"
        raise ConfigError(f"{name}: {value!r} must be {bounds}")
    return parsed


@dataclass(frozen=True)
class Origin:
    """Where recordings may be fetched from: a scheme, host and port, and a path prefix."""

    scheme: str
    host: str
    port: int
    path: str  # ends with "/"

    def allows(self, url: str) -> bool:
        """Whether a URL is on this origin, under its path, with no user info and no dot segments."""
        try:
            parts = urlsplit(url)
            port = parts.port or DEFAULT_PORTS.get(parts.scheme)
        except ValueError:  # a port that is not a number
            return False
        segments = parts.path.split("/")
        return (
            parts.scheme == self.scheme
            and (parts.hostname or "") == self.host
            and port == self.port
            and "@" not in parts.netloc
            and not {".", ".."} & set(segments)
            and "%" not in parts.path
            and parts.path.startswith(self.path)
        )

    def __str__(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}{self.path}"


def server_url(name: str, value: str, ports: dict[str, int], kind: str) -> tuple[SplitResult, int]:
    """A URL's parts and port (its scheme's default when none), with one of the schemes and a host."""
    try:
        parts = urlsplit(value)
        port = parts.port or ports.get(parts.scheme)
    except ValueError:
        raise ConfigError(f"{name}: {value!r} has a bad port") from None
    if parts.scheme not in ports or not parts.hostname:
        raise ConfigError(f"{name}: {value!r} is not {kind} URL with a host")
    return parts, int(port or 0)


def origins(name: str, value: str) -> tuple[Origin, ...]:
    """Parse comma-separated URL prefixes; each must be http(s), with a host and no user info."""
    parsed = []
    for prefix in (p.strip() for p in value.split(",")):
        if not prefix:
            continue
        parts, port = server_url(name, prefix, DEFAULT_PORTS, "an http(s)")
        if "@" in parts.netloc or parts.query or parts.fragment:
            raise ConfigError(f"{name}: {prefix!r} may not carry user info, a query or a fragment")
        # A prefix names a folder: "/Accounts" must not also allow "/Accounts-evil".
        path = parts.path if parts.path.endswith("/") else parts.path + "/"
        parsed.append(Origin(parts.scheme, parts.hostname or "", port, path))
    if not parsed:
        raise ConfigError(f"{name}: no URL prefix given")
    return tuple(parsed)
