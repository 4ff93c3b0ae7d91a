"""``serve --engine``: which engine runs environments, from the command line.

``docker`` (the default) is this machine's daemon. ``swarm`` runs them as services of the Swarm
whose manager ``--swarm-manager`` names (a Docker API URL: ``unix:///...``, ``tcp://...:2376``);
``--cluster-address`` is this host's address that every node can route to, which the Runtime
APIs and the agent listener then listen on. Runtime images must already be on every node
(``lambda-host images copy --to URL``) or in a registry the nodes pull from.
"""

from __future__ import annotations

import argparse

from host.environments.backend import Backend


def add_engine_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--engine", choices=["docker", "swarm"], default="docker", help="where environments run (default docker)"
    )
    parser.add_argument("--swarm-manager", metavar="URL", help="with --engine swarm: a manager's Docker API URL")
    parser.add_argument(
        "--cluster-address", metavar="ADDRESS", help="with --engine swarm: this host's address as the nodes reach it"
    )
    parser.add_argument("--swarm-network", metavar="NAME", help="with --engine swarm: an overlay network to join")
    parser.add_argument(
        "--swarm-shared-files",
        action="store_true",
        help="with --engine swarm: every node sees this machine's folders at the same paths (one machine, NFS)",
    )


def engine_settings(args: argparse.Namespace) -> dict:
    """HostConfig fields for the engine chosen: none for Docker, the backend and address for Swarm."""
    if getattr(args, "engine", "docker") != "swarm":
        return {}
    if not args.swarm_manager or not args.cluster_address:
        raise SystemExit("lambda-host: --engine swarm needs --swarm-manager URL and --cluster-address ADDRESS")
    import docker

    from host.environments.swarm_backend import SwarmBackend

    backend: Backend = SwarmBackend(
        docker.DockerClient(base_url=args.swarm_manager),
        args.cluster_address,
        network=args.swarm_network,
        shared_files=args.swarm_shared_files,
    )
    return {"backend": backend, "container_host": args.cluster_address}
