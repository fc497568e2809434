"""The SMTP simulator in a process of its own for the fault suite, with faults at random rates,
writing each message it stores to a file (one JSON line, flushed at once) that the suite reads:
the simulator's OWN record of what arrived, which outlives the workers that sent it.

    python -m tests.faults.smtp_process --port P --records PATH --seed S \
        [--reject-rate R] [--drop-rate D]

reject-rate: the end of DATA is answered 451 (try later) and nothing is stored.
drop-rate: the message is stored and the connection cut before the answer (the server took it,
the sender never heard so), which makes the sender send it again with the same Message-ID.
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import threading
from pathlib import Path
from types import FrameType

from integrations.simulators.smtp import ReceivedMessage, SMTPFaults, SMTPSimulator


class RecordingSMTPSimulator(SMTPSimulator):
    def __init__(self, port: int, records: Path, seed: int, reject: float, drop: float) -> None:
        super().__init__("127.0.0.1", port)
        self._records = records.open("a", encoding="utf-8")
        self._rng = random.Random(seed)
        self._reject_rate, self._drop_rate = reject, drop

    def _take_faults(self) -> SMTPFaults:
        roll = self._rng.random()
        if roll < self._reject_rate:
            return SMTPFaults(reject=451)
        if roll < self._reject_rate + self._drop_rate:
            return SMTPFaults(drop_after_data=True)
        return SMTPFaults()

    def _store(self, message: ReceivedMessage) -> None:
        super()._store(message)
        self._write({"message_id": message.message_id, "subject": str(message.message["Subject"])})

    def _count(self, fault: str) -> None:
        super()._count(fault)
        self._write({"fault": fault})

    def _write(self, line: dict[str, str]) -> None:
        with self._lock:
            self._records.write(json.dumps(line) + "\n")
            self._records.flush()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--records", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--reject-rate", type=float, default=0.0)
    parser.add_argument("--drop-rate", type=float, default=0.0)
    args = parser.parse_args()
    simulator = RecordingSMTPSimulator(
        args.port, args.records, args.seed, args.reject_rate, args.drop_rate
    ).start()
    stopping = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    print(f"smtp simulator on 127.0.0.1:{simulator.port}", flush=True)
    stopping.wait()
    simulator.stop()


if __name__ == "__main__":
    main()
