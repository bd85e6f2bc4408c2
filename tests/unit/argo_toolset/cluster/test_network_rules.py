"""The cluster's iptables rules go by their mark, whatever their ports, and a delete that loses a race is retried
(a fake iptables here; tests/cluster/test_zz_down.py checks the real one)."""

from __future__ import annotations

import shlex
import subprocess

import pytest

from argo_toolset.cluster import network

MARK = "argo-batch-scoring cluster: stack at the node address"
OTHER = "someone else's rule"


def _rule(port: int, comment: str) -> str:
    return (f'-A PREROUTING -d 10.244.0.1/32 -i abs-pods0 -p tcp -m tcp --dport {port} -m comment --comment '
            f'"{comment}" -j DNAT --to-destination 127.0.0.1:{port}')


class FakeIptables:
    """The nat table as iptables-save prints it; `-D` removes the rule it names unless a failure is queued."""

    def __init__(self, rules: list[str], failing_deletes: int = 0):
        self.rules = rules
        self.failing_deletes = failing_deletes

    def run(self, command, **_):
        if command[0] == "iptables-save":
            dump = "\n".join(["*nat", ":PREROUTING ACCEPT [0:0]", *self.rules, "COMMIT"])
            return subprocess.CompletedProcess(command, 0, dump, "")
        assert command[:4] == ["iptables", "-w", "-t", "nat"] and command[4] == "-D", command
        if self.failing_deletes:
            self.failing_deletes -= 1
            return subprocess.CompletedProcess(command, 4, "", "Resource temporarily unavailable")
        line = "-A " + " ".join(shlex.quote(word) for word in command[5:])
        match = next(rule for rule in self.rules if shlex.split(rule) == shlex.split(line))
        self.rules.remove(match)
        return subprocess.CompletedProcess(command, 0, "", "")


@pytest.fixture
def fake(monkeypatch):
    def install(rules: list[str], failing_deletes: int = 0) -> FakeIptables:
        iptables = FakeIptables(rules, failing_deletes)
        monkeypatch.setattr(network.subprocess, "run", iptables.run)
        monkeypatch.setattr(network.time, "sleep", lambda _: None)
        return iptables
    return install


def test_every_marked_rule_goes_whatever_its_port_and_others_stay(fake):
    iptables = fake([_rule(27666, MARK), _rule(1, MARK), _rule(8080, OTHER)])
    assert network.remove_marked_rules(MARK) == []
    assert iptables.rules == [_rule(8080, OTHER)]


def test_a_delete_that_loses_a_race_is_retried(fake):
    iptables = fake([_rule(27666, MARK)], failing_deletes=2)
    assert network.remove_marked_rules(MARK) == []
    assert iptables.rules == []


def test_a_rule_that_will_not_go_is_named(fake):
    fake([_rule(27666, MARK)], failing_deletes=99)
    left = network.remove_marked_rules(MARK, attempts=3)
    assert left == ["iptables -t nat -D PREROUTING -d 10.244.0.1/32 -i abs-pods0 -p tcp -m tcp --dport 27666 "
                    f"-m comment --comment '{MARK}' -j DNAT --to-destination 127.0.0.1:27666"]
