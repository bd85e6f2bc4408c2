"""The node's network: the pods' bridge with the node address, a guard that keeps other hosts off the ports that
must listen on every interface, and the teardown of what kube-proxy and the CNI plugins leave behind."""

from __future__ import annotations

import shlex
import subprocess
import time
from pathlib import Path

from argo_toolset.cluster.layout import BRIDGE, NODE_IP, POD_SUBNET, ClusterLayout

NETNS_DIR = Path("/var/run/netns")


def _ip(*arguments: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["ip", *arguments], capture_output=True, text=True, check=check)


def bridge_exists() -> bool:
    return _ip("link", "show", BRIDGE, check=False).returncode == 0


def ensure_bridge() -> None:
    """The bridge the CNI plugin attaches pods to, up with the node address before the API server binds it."""
    if not bridge_exists():
        _ip("link", "add", BRIDGE, "type", "bridge")
    prefix = POD_SUBNET.split("/")[1]
    if NODE_IP not in _ip("-4", "addr", "show", BRIDGE).stdout:
        _ip("addr", "add", f"{NODE_IP}/{prefix}", "dev", BRIDGE)
    _ip("link", "set", BRIDGE, "up")


def remove_bridge() -> None:
    if bridge_exists():
        _ip("link", "del", BRIDGE)


def _guard_rule(port: int, comment: str) -> list[str]:
    return ["INPUT", "-p", "tcp", "--dport", str(port), "!", "-i", "lo", "-m", "comment", "--comment",
            comment, "-j", "DROP"]


def guard_port(port: int, comment: str) -> None:
    """Drops connections to `port` from anywhere but this machine's loopback (Argo's server binds every
    interface and has no flag to bind one); `comment` marks the rule as ours."""
    if subprocess.run(["iptables", "-C", *_guard_rule(port, comment)], capture_output=True,
                      check=False).returncode != 0:
        subprocess.run(["iptables", "-I", *_guard_rule(port, comment)], capture_output=True, check=True)


def _saved_lines(save: str) -> list[tuple[str, str]]:
    """Each chain and rule line `save` (iptables-save or ip6tables-save) prints, with the table it is in."""
    dump = subprocess.run([save], capture_output=True, text=True, check=False).stdout
    lines, table = [], None
    for line in dump.splitlines():
        if line.startswith("*"):
            table = line[1:]
        elif table and line.startswith((":", "-A ")):
            lines.append((table, line))
    return lines


def marked_rules(comment: str) -> list[tuple[str, list[str]]]:
    """Every IPv4 rule `comment` marks, as (table, rule words as iptables-save writes them after `-A`)."""
    return [(table, _unquote(line.split()[1:])) for table, line in _saved_lines("iptables-save")
            if line.startswith("-A ") and f'--comment "{comment}"' in line]


def remove_marked_rules(comment: str, attempts: int = 5) -> list[str]:
    """Deletes every rule `comment` marks, whatever its ports: those of an earlier stack or of a session killed before
    its teardown included. Returns, as the commands that would delete them, the rules still there after `attempts`
    rounds (a delete can lose a race with another writer of the table), so the caller can name them."""
    for _ in range(attempts):
        rules = marked_rules(comment)
        if not rules:
            return []
        for table, rule in rules:
            subprocess.run(["iptables", "-w", "-t", table, "-D", *rule], capture_output=True, check=False)
        time.sleep(0.2)
    return [shlex.join(["iptables", "-t", table, "-D", *rule]) for table, rule in marked_rules(comment)]


def remove_kube_chains() -> None:
    """Removes the chains the kubelet and kube-proxy made (`KUBE-*`, e.g. the kubelet's KUBE-FIREWALL and canaries,
    which `kube-proxy --cleanup` leaves) and the rules that jump to them, in both address families."""
    for save, tool in (("iptables-save", "iptables"), ("ip6tables-save", "ip6tables")):
        chains: dict[str, set[str]] = {}
        jumps: list[tuple[str, list[str]]] = []
        for table, line in _saved_lines(save):
            if line.startswith(":KUBE-"):
                chains.setdefault(table, set()).add(line[1:].split()[0])
            elif line.startswith("-A ") and not line.split()[1].startswith("KUBE-") and " -j KUBE-" in line:
                jumps.append((table, line.split()[1:]))
        for table, rule in jumps:
            subprocess.run([tool, "-t", table, "-D", *_unquote(rule)], capture_output=True, check=False)
        for table, names in chains.items():
            for name in names:
                subprocess.run([tool, "-t", table, "-F", name], capture_output=True, check=False)
            for name in names:
                subprocess.run([tool, "-t", table, "-X", name], capture_output=True, check=False)


def _unquote(words: list[str]) -> list[str]:
    # iptables-save quotes comments with spaces; the rule is re-split on the quotes for -D.
    return shlex.split(" ".join(words))


def leftover_mounts(layout: ClusterLayout) -> list[str]:
    """Mount points under the run dir (pod volumes, container root filesystems), deepest first."""
    root = str(layout.run_dir.resolve())
    points = []
    for line in Path("/proc/self/mounts").read_text().splitlines():
        point = line.split()[1].replace("\\040", " ")
        if point == root or point.startswith(root + "/"):
            points.append(point)
    return sorted(points, key=len, reverse=True)


def unmount_all(layout: ClusterLayout) -> None:
    for point in leftover_mounts(layout):
        subprocess.run(["umount", "-l", point], capture_output=True, check=False)


def pod_network_namespaces() -> list[Path]:
    """Network namespaces containerd's CRI plugin made for pods (`cni-<uuid>`)."""
    return sorted(NETNS_DIR.glob("cni-*")) if NETNS_DIR.is_dir() else []
