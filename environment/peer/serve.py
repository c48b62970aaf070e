#!/usr/bin/python3
"""SegAlign's driver for the reference PyTorch replica (../shared/peer/pytorch_fpn_sfnet.py beside the checkout, or
$SEGALIGN_PEER_REPLICA). The replica is run, never copied: this file loads its model definitions (everything above its
benchmark section) and serves the training step under the protocol of SegAlign's ServedProcess, which `segalign bench
--peer` drives:
    /usr/bin/python3 serve.py <decoder> <threads> <batch> <size> <classes> <warmup>
builds and warms up one model, prints READY {"params": N, ...}, then answers each 'train N' line on stdin with
'RESULT <seconds>' for N training steps; 'quit' or end of input ends it."""
import json, os, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
REPLICA = os.environ.get('SEGALIGN_PEER_REPLICA') or os.path.join(HERE, '..', '..', '..', 'shared', 'peer', 'pytorch_fpn_sfnet.py')
BENCHMARK_STARTS = 'if params_only:'   # the replica's definitions end where its own benchmark begins


def load_replica(threads):
    if not os.path.isfile(REPLICA):
        sys.exit('serve: the reference replica %s is missing; set SEGALIGN_PEER_REPLICA to its path' % REPLICA)
    source = open(REPLICA).read()
    cut = source.find('\n' + BENCHMARK_STARTS)
    if cut < 0:
        sys.exit('serve: %s has no line %r: its layout changed, so its definitions cannot be told from its benchmark' % (REPLICA, BENCHMARK_STARTS))
    namespace = {'__name__': 'pytorch_fpn_sfnet'}
    saved, sys.argv = sys.argv, [REPLICA, str(threads), '0']   # the replica reads its thread count from argv
    try:
        exec(compile(source[:cut], REPLICA, 'exec'), namespace)
    finally:
        sys.argv = saved
    return namespace


def serve(decoder, threads, batch, size, classes, warmup):
    r = load_replica(threads)
    torch, F = r['torch'], r['F']
    if decoder not in ('fpn', 'sfnet'):
        sys.exit('serve: no replica of decoder %r (fpn, sfnet)' % decoder)
    torch.manual_seed(0)
    model = r['Segmentor'](decoder, classes)
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=0.003, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)
    gen = torch.Generator().manual_seed(0)
    batches = [((torch.rand(batch, 3, size, size, generator=gen) * 2 - 1).numpy(),
                torch.randint(0, classes, (batch, size, size), generator=gen).numpy()) for _ in range(4)]
    done = [0]

    def step():
        # as SegAlign's Trainer.Step: tensors from host arrays, forward, CE (ignore 255), zero_grad, backward, AdamW, loss read back
        i = done[0]
        done[0] += 1
        images, labels = (torch.tensor(a) for a in batches[i % 4])
        for group in opt.param_groups: group['lr'] = r['lr_at'](i % 800)
        loss = F.cross_entropy(model(images), labels, ignore_index=255)
        model.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        loss.item()

    for _ in range(warmup): step()
    print('READY ' + json.dumps({'params': sum(p.numel() for p in model.parameters()), 'torch': torch.__version__,
                                 'threads': torch.get_num_threads()}), flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words: continue
        if words[0] == 'quit': return
        if words[0] != 'train' or len(words) != 2 or not words[1].isdigit():
            sys.exit('serve: unknown command %r (send "train N" or "quit")' % line.strip())
        start = time.perf_counter()
        for _ in range(int(words[1])): step()
        print('RESULT %r' % (time.perf_counter() - start), flush=True)


if __name__ == '__main__':
    if len(sys.argv) != 7:
        sys.exit('usage: serve.py <decoder> <threads> <batch> <size> <classes> <warmup>')
    decoder, threads, batch, size, classes, warmup = sys.argv[1], *map(int, sys.argv[2:])
    serve(decoder, threads, batch, size, classes, warmup)
