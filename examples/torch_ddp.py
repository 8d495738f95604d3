"""Train symbackprop's generated torch module under DistributedDataParallel, past one process.

Two CPU processes (the gloo backend), each on half of the batch: DDP averages the derived
gradients across them, which equals the gradient of the full batch. The script checks that
once, then trains a few SGD steps.

    python examples/torch_ddp.py            # --fast: fewer steps
"""

from __future__ import annotations

import argparse
import os
import socket

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.nn.parallel import DistributedDataParallel

import symbackprop as sb

SPEC, WORLD, M = "4-3-2-1", 2, 64


def data() -> tuple[torch.Tensor, torch.Tensor]:
    """A fixed batch of M examples (columns) with 0/1 targets, the same in every process."""
    generator = torch.Generator().manual_seed(0)
    X = torch.randn(4, M, generator=generator, dtype=torch.float64)
    Y = (X.sum(dim=0, keepdim=True) > 0).to(torch.float64)
    return X, Y


def worker(rank: int, port: int, steps: int, queue: mp.SimpleQueue) -> None:
    os.environ["MASTER_ADDR"], os.environ["MASTER_PORT"] = "127.0.0.1", str(port)
    dist.init_process_group("gloo", rank=rank, world_size=WORLD)
    module = sb.compile(SPEC, backend="torch").module
    net = DistributedDataParallel(module.Net(seed=0))  # same seed: the same start everywhere
    X, Y = data()
    half = slice(rank * M // WORLD, (rank + 1) * M // WORLD)  # this process's columns
    net(X[:, half], Y[:, half]).backward()  # DDP all-reduces: .grad is the mean over processes
    if rank == 0:
        queue.put({name: p.grad.numpy().copy() for name, p in net.module.params.items()})
    optimizer = torch.optim.SGD(net.parameters(), lr=1.0)
    for step in range(steps):
        optimizer.zero_grad()
        loss = net(X[:, half], Y[:, half])
        loss.backward()
        optimizer.step()
        if rank == 0:
            print(f"step {step}: cost on process 0's half {loss.item():.4f}")
    dist.destroy_process_group()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def distributed_gradients(steps: int = 0) -> dict[str, object]:
    """The gradients DDP leaves on process 0 after one step over two halves of the batch."""
    context = mp.get_context("spawn")
    queue = context.SimpleQueue()
    mp.spawn(worker, args=(free_port(), steps, queue), nprocs=WORLD, join=True)
    return queue.get()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="train 3 steps instead of 20")
    steps = 3 if parser.parse_args().fast else 20
    averaged = distributed_gradients(steps)
    module = sb.compile(SPEC, backend="torch")
    X, Y = data()
    _, full = module.loss_and_grads(module.init_params(seed=0), X, Y)
    worst = max(float(abs(full[k].numpy() - averaged[k]).max()) for k in full)
    if not worst < 1e-12:  # checked before it is said (an assert vanishes under python -O)
        raise SystemExit(f"DDP's averaged gradients differ from the full batch's by {worst:.1e}")
    print(f"DDP's averaged gradients equal the full batch's: largest difference {worst:.1e}")


if __name__ == "__main__":
    main()
