"""Functions with their versions, aliases, URLs, event settings and policies: SQLite first, then memory.

Writes go to SQLite and then replace the in-memory entries, so the invoke path reads
dicts and never touches the database. Writers are serialised by a lock; readers take
none (replacing a dict entry is atomic). Version numbers are never reused while the
function exists.
"""

from __future__ import annotations

import threading

from host.core.model import (
    LATEST,
    Alias,
    EventInvokeConfig,
    FunctionConfig,
    FunctionPolicy,
    FunctionUrl,
    ProvisionedConcurrency,
)
from host.store.codec import (
    alias_from_json,
    dumps,
    event_invoke_config_from_json,
    function_from_json,
    policy_from_json,
    provisioned_from_json,
    url_from_json,
)
from host.store.db import Database


class FunctionStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.lock = threading.RLock()
        self._latest: dict[str, FunctionConfig] = {}
        self._versions: dict[str, dict[str, FunctionConfig]] = {}
        self._aliases: dict[str, dict[str, Alias]] = {}
        self._urls: dict[tuple[str, str], FunctionUrl] = {}  # by (function, qualifier)
        self._urls_by_id: dict[str, FunctionUrl] = {}
        self._event_configs: dict[tuple[str, str], EventInvokeConfig] = {}  # by (function, qualifier)
        self._provisioned: dict[tuple[str, str], ProvisionedConcurrency] = {}  # by (function, qualifier)
        self._policies: dict[tuple[str, str], FunctionPolicy] = {}  # by (function, $LATEST/version/alias)
        conn = db.connection()
        for (config,) in conn.execute("SELECT config FROM functions"):
            function = function_from_json(config)
            if function.version == LATEST:
                self._latest[function.name] = function
            else:
                self._versions.setdefault(function.name, {})[function.version] = function
        for (config,) in conn.execute("SELECT config FROM aliases"):
            alias = alias_from_json(config)
            self._aliases.setdefault(alias.function_name, {})[alias.name] = alias
        for (config,) in conn.execute("SELECT config FROM function_urls"):
            self._remember_url(url_from_json(config))
        for (config,) in conn.execute("SELECT config FROM provisioned_configs"):
            provisioned = provisioned_from_json(config)
            self._provisioned[(provisioned.function_name, provisioned.qualifier)] = provisioned
        for (config,) in conn.execute("SELECT config FROM event_invoke_configs"):
            event_config = event_invoke_config_from_json(config)
            self._event_configs[(event_config.function_name, event_config.qualifier)] = event_config
        for (config,) in conn.execute("SELECT config FROM function_policies"):
            policy = policy_from_json(config)
            self._policies[(policy.function_name, policy.qualifier)] = policy

    # -- $LATEST ------------------------------------------------------------------------------

    def get(self, name: str) -> FunctionConfig | None:
        """The function's $LATEST configuration, or None."""
        return self._latest.get(name)

    def all(self) -> list[FunctionConfig]:
        return sorted(self._latest.values(), key=lambda f: f.name)

    def put(self, function: FunctionConfig) -> None:
        """Store $LATEST (or, with a version number, a published version)."""
        with self.lock, self.db.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO functions (name, version, config) VALUES (?, ?, ?)",
                (function.name, function.version, dumps(function)),
            )
            if function.version == LATEST:
                self._latest[function.name] = function
            else:
                self._versions.setdefault(function.name, {})[function.version] = function

    def delete(self, name: str) -> FunctionConfig | None:
        """The function with every version, alias, URL and policy."""
        with self.lock, self.db.transaction() as conn:
            conn.execute("DELETE FROM functions WHERE name = ?", (name,))
            conn.execute("DELETE FROM aliases WHERE function_name = ?", (name,))
            conn.execute("DELETE FROM version_counters WHERE name = ?", (name,))
            conn.execute("DELETE FROM function_urls WHERE function_name = ?", (name,))
            conn.execute("DELETE FROM event_invoke_configs WHERE function_name = ?", (name,))
            conn.execute("DELETE FROM function_policies WHERE function_name = ?", (name,))
            for key in [key for key in self._event_configs if key[0] == name]:
                del self._event_configs[key]
            for key in [key for key in self._policies if key[0] == name]:
                del self._policies[key]
            conn.execute("DELETE FROM provisioned_configs WHERE function_name = ?", (name,))
            for key in [key for key in self._provisioned if key[0] == name]:
                del self._provisioned[key]
            self._versions.pop(name, None)
            self._aliases.pop(name, None)
            for url in [url for key, url in self._urls.items() if key[0] == name]:
                self._forget_url(url)
            return self._latest.pop(name, None)

    # -- versions -----------------------------------------------------------------------------

    def version(self, name: str, version: str) -> FunctionConfig | None:
        if version == LATEST:
            return self._latest.get(name)
        return self._versions.get(name, {}).get(version)

    def versions(self, name: str) -> list[FunctionConfig]:
        """Published versions, oldest first."""
        return sorted(self._versions.get(name, {}).values(), key=lambda f: int(f.version))

    def publish(self, name: str, make) -> FunctionConfig:
        """Store ``make(number)`` as the function's next version (numbers never reused)."""
        with self.lock, self.db.transaction() as conn:
            version = make(self.db.next_number(conn, "version_counters", name))
            conn.execute(
                "INSERT INTO functions (name, version, config) VALUES (?, ?, ?)",
                (name, version.version, dumps(version)),
            )
            self._versions.setdefault(name, {})[version.version] = version
        return version

    def delete_version(self, name: str, version: str) -> FunctionConfig | None:
        with self.lock, self.db.transaction() as conn:
            conn.execute("DELETE FROM functions WHERE name = ? AND version = ?", (name, version))
            conn.execute("DELETE FROM event_invoke_configs WHERE function_name = ? AND qualifier = ?", (name, version))
            conn.execute("DELETE FROM function_policies WHERE function_name = ? AND qualifier = ?", (name, version))
            conn.execute("DELETE FROM provisioned_configs WHERE function_name = ? AND qualifier = ?", (name, version))
            self._event_configs.pop((name, version), None)
            self._policies.pop((name, version), None)
            self._provisioned.pop((name, version), None)
            return self._versions.get(name, {}).pop(version, None)

    # -- aliases ------------------------------------------------------------------------------

    def alias(self, name: str, alias: str) -> Alias | None:
        return self._aliases.get(name, {}).get(alias)

    def aliases(self, name: str) -> list[Alias]:
        return sorted(self._aliases.get(name, {}).values(), key=lambda a: a.name)

    def put_alias(self, alias: Alias) -> None:
        with self.lock, self.db.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO aliases (function_name, name, config) VALUES (?, ?, ?)",
                (alias.function_name, alias.name, dumps(alias)),
            )
            self._aliases.setdefault(alias.function_name, {})[alias.name] = alias

    def delete_alias(self, name: str, alias: str) -> Alias | None:
        """The alias, and its URL, event settings and policy with it."""
        with self.lock, self.db.transaction() as conn:
            conn.execute("DELETE FROM aliases WHERE function_name = ? AND name = ?", (name, alias))
            conn.execute("DELETE FROM function_urls WHERE function_name = ? AND qualifier = ?", (name, alias))
            conn.execute("DELETE FROM event_invoke_configs WHERE function_name = ? AND qualifier = ?", (name, alias))
            conn.execute("DELETE FROM function_policies WHERE function_name = ? AND qualifier = ?", (name, alias))
            conn.execute("DELETE FROM provisioned_configs WHERE function_name = ? AND qualifier = ?", (name, alias))
            self._event_configs.pop((name, alias), None)
            self._policies.pop((name, alias), None)
            self._provisioned.pop((name, alias), None)
            url = self._urls.get((name, alias))
            if url is not None:
                self._forget_url(url)
            return self._aliases.get(name, {}).pop(alias, None)

    # -- function URLs ------------------------------------------------------------------------

    def url(self, name: str, qualifier: str) -> FunctionUrl | None:
        return self._urls.get((name, qualifier))

    def url_by_id(self, url_id: str) -> FunctionUrl | None:
        return self._urls_by_id.get(url_id)

    def urls(self, name: str | None = None) -> list[FunctionUrl]:
        """The function's URLs (every URL without a name), the function's own first, then by alias."""
        found = [url for key, url in self._urls.items() if name is None or key[0] == name]
        return sorted(found, key=lambda url: (url.function_name, url.qualifier))

    def put_url(self, url: FunctionUrl) -> None:
        with self.lock, self.db.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO function_urls (function_name, qualifier, config) VALUES (?, ?, ?)",
                (url.function_name, url.qualifier, dumps(url)),
            )
            self._remember_url(url)

    def delete_url(self, name: str, qualifier: str) -> FunctionUrl | None:
        with self.lock, self.db.transaction() as conn:
            conn.execute("DELETE FROM function_urls WHERE function_name = ? AND qualifier = ?", (name, qualifier))
            url = self._urls.get((name, qualifier))
            if url is not None:
                self._forget_url(url)
            return url

    # -- event invoke settings ----------------------------------------------------------------

    def event_config(self, name: str, qualifier: str) -> EventInvokeConfig | None:
        return self._event_configs.get((name, qualifier))

    def event_configs(self, name: str) -> list[EventInvokeConfig]:
        return sorted((c for k, c in self._event_configs.items() if k[0] == name), key=lambda c: c.qualifier)

    def put_event_config(self, config: EventInvokeConfig) -> None:
        with self.lock, self.db.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO event_invoke_configs (function_name, qualifier, config) VALUES (?, ?, ?)",
                (config.function_name, config.qualifier, dumps(config)),
            )
            self._event_configs[(config.function_name, config.qualifier)] = config

    def delete_event_config(self, name: str, qualifier: str) -> EventInvokeConfig | None:
        with self.lock, self.db.transaction() as conn:
            conn.execute(
                "DELETE FROM event_invoke_configs WHERE function_name = ? AND qualifier = ?", (name, qualifier)
            )
            return self._event_configs.pop((name, qualifier), None)

    # -- resource-based policies ----------------------------------------------------------------

    def policy(self, name: str, qualifier: str) -> FunctionPolicy | None:
        """The policy of the function ($LATEST), a version or an alias, or None."""
        return self._policies.get((name, qualifier))

    def put_policy(self, policy: FunctionPolicy) -> None:
        with self.lock, self.db.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO function_policies (function_name, qualifier, config) VALUES (?, ?, ?)",
                (policy.function_name, policy.qualifier, dumps(policy)),
            )
            self._policies[(policy.function_name, policy.qualifier)] = policy

    def delete_policy(self, name: str, qualifier: str) -> FunctionPolicy | None:
        with self.lock, self.db.transaction() as conn:
            conn.execute("DELETE FROM function_policies WHERE function_name = ? AND qualifier = ?", (name, qualifier))
            return self._policies.pop((name, qualifier), None)

    # -- provisioned concurrency --------------------------------------------------------------

    def provisioned(self, name: str, qualifier: str) -> ProvisionedConcurrency | None:
        return self._provisioned.get((name, qualifier))

    def provisioned_configs(self, name: str | None = None) -> list[ProvisionedConcurrency]:
        """The function's configurations (every function's without a name), by qualifier."""
        configs = (c for key, c in self._provisioned.items() if name is None or key[0] == name)
        return sorted(configs, key=lambda c: (c.function_name, c.qualifier))

    def put_provisioned(self, config: ProvisionedConcurrency) -> None:
        with self.lock, self.db.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO provisioned_configs (function_name, qualifier, config) VALUES (?, ?, ?)",
                (config.function_name, config.qualifier, dumps(config)),
            )
            self._provisioned[(config.function_name, config.qualifier)] = config

    def delete_provisioned(self, name: str, qualifier: str) -> ProvisionedConcurrency | None:
        with self.lock, self.db.transaction() as conn:
            conn.execute("DELETE FROM provisioned_configs WHERE function_name = ? AND qualifier = ?", (name, qualifier))
            return self._provisioned.pop((name, qualifier), None)

    def _remember_url(self, url: FunctionUrl) -> None:
        self._urls[(url.function_name, url.qualifier)] = url
        self._urls_by_id[url.url_id] = url

    def _forget_url(self, url: FunctionUrl) -> None:
        self._urls.pop((url.function_name, url.qualifier), None)
        self._urls_by_id.pop(url.url_id, None)
