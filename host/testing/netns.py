"""Network plumbing for the test cluster: a Linux bridge with one network namespace per node.

Root only, Linux only, and used only by ``host.testing.swarm_cluster``. Every name made
here starts with a fixed prefix so a later run can find and remove what an interrupted
one left behind; nothing else on the machine is touched (the one iptables rule carries a
comment and is removed by it).

Layout for node ``n`` (1-based), with the default prefix ``lhswarm``::

    root namespace                          namespace lhswarm<n>
    bridge lhswarm0 10.77.0.1/24 ── veth lhswarmv<n> ═══ eth0 10.77.0.<n+1>/24, default via 10.77.0.1
"""

from __future__ import annotations

import contextlib
import ipaddress
import subprocess
from dataclasses import dataclass
from pathlib import Path

RULE_COMMENT = "lambda-host-swarm"


def run(*argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run a command; raise with its stderr when ``check`` and it fails."""
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.strip()}")
    return done


@dataclass(frozen=True)
class Plumbing:
    """The names and addresses of one cluster's network."""

    prefix: str = "lhswarm"
    subnet: str = "10.77.0.0/24"

    @property
    def bridge(self) -> str:
        return f"{self.prefix}0"

    @property
    def host_address(self) -> str:
        """The root namespace's address on the bridge: where nodes reach this host."""
        return str(ipaddress.ip_network(self.subnet)[1])

    def namespace(self, n: int) -> str:
        return f"{self.prefix}{n}"

    def veth(self, n: int) -> str:
        """The root namespace's end of node ``n``'s veth pair (the node's end is its eth0)."""
        return f"{self.prefix}v{n}"

    def address(self, n: int) -> str:
        return str(ipaddress.ip_network(self.subnet)[n + 1])

    # -- building -------------------------------------------------------------------------

    def make_bridge(self) -> None:
        prefix_len = ipaddress.ip_network(self.subnet).prefixlen
        run("ip", "link", "add", self.bridge, "type", "bridge")
        run("ip", "addr", "add", f"{self.host_address}/{prefix_len}", "dev", self.bridge)
        run("ip", "link", "set", self.bridge, "up")
        # br_netfilter is loaded here (bridge-nf-call-iptables=1) and the main Docker daemon sets the
        # FORWARD policy to DROP: without this rule frames between two nodes' veths are dropped.
        if run(*self._rule("-C"), check=False).returncode != 0:
            run(*self._rule("-I"))

    def make_node(self, n: int) -> None:
        ns, veth, prefix_len = self.namespace(n), self.veth(n), ipaddress.ip_network(self.subnet).prefixlen
        run("ip", "netns", "add", ns)
        run("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns)
        run("ip", "link", "set", veth, "master", self.bridge, "up")
        run("ip", "-n", ns, "addr", "add", f"{self.address(n)}/{prefix_len}", "dev", "eth0")
        run("ip", "-n", ns, "link", "set", "eth0", "up")
        run("ip", "-n", ns, "link", "set", "lo", "up")
        run("ip", "-n", ns, "route", "add", "default", "via", self.host_address)

    def set_link(self, n: int, up: bool) -> None:
        """Cut (or restore) node ``n``'s only link, as if its cable were pulled."""
        run("ip", "link", "set", self.veth(n), "up" if up else "down")

    # -- removing -------------------------------------------------------------------------

    def remove_all(self) -> None:
        """Remove every namespace, veth, bridge and rule with this prefix; quiet about what is absent."""
        for ns in self.leftover_namespaces():
            run("ip", "netns", "del", ns, check=False)  # takes the veth pair with it
        for line in run("ip", "-o", "link", "show", check=False).stdout.splitlines():
            name = line.split(":", 2)[1].strip().split("@")[0]
            veth = name.startswith(f"{self.prefix}v") and name[len(self.prefix) + 1 :].isdigit()
            if name == self.bridge or veth:
                run("ip", "link", "del", name, check=False)
        while run(*self._rule("-C"), check=False).returncode == 0:
            run(*self._rule("-D"), check=False)

    def leftover_namespaces(self) -> list[str]:
        names = []
        with contextlib.suppress(FileNotFoundError):
            for entry in Path("/run/netns").iterdir():
                if entry.name.startswith(self.prefix) and entry.name[len(self.prefix) :].isdigit():
                    names.append(entry.name)
        return sorted(names)

    def _rule(self, action: str) -> tuple[str, ...]:
        where = ("1",) if action == "-I" else ()
        return (
            "iptables",
            action,
            "FORWARD",
            *where,
            "-i",
            self.bridge,
            "-o",
            self.bridge,
            "-m",
            "comment",
            "--comment",
            RULE_COMMENT,
            "-j",
            "ACCEPT",
        )
