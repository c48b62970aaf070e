#!/usr/bin/python3
"""PyTorch replica of SegAlign's 'full' preset fpn / sfnet models and training step (Trainer.Step: host arrays -> tensors,
forward, cross-entropy ignore 255, zero_grad, backward, AdamW step, .item()), for side-by-side speed measurements.
usage: /usr/bin/python3 pytorch_fpn_sfnet.py <threads> <iters> [params] [--pad-flow]
       /usr/bin/python3 pytorch_fpn_sfnet.py serve <decoder> <threads> <batch> <size> <classes> <warmup>
Prints one JSON line per figure, prefixed RESULT. With 'params' it writes params_pytorch_<decoder>.txt (name, shape) to the
current folder and exits, so the parameter lists can be diffed against SegAlign's.
'serve' is how `segalign bench --peer` drives it (the protocol of SegAlign's ServedProcess): it builds and warms up one
model, prints READY {"params": N, ...}, then answers each 'train N' line on stdin with 'RESULT <seconds>' for N training
steps; 'quit' or end of input ends it."""
import sys, json, time, math, statistics, random
import torch, torch.nn as nn, torch.nn.functional as F

SERVE = len(sys.argv) > 1 and sys.argv[1] == 'serve'
if SERVE:
    if len(sys.argv) != 8:
        sys.exit('usage: pytorch_fpn_sfnet.py serve <decoder> <threads> <batch> <size> <classes> <warmup>')
    threads, iters, params_only = int(sys.argv[3]), 0, False
else:
    threads, iters = int(sys.argv[1]), int(sys.argv[2])
    params_only = len(sys.argv) > 3 and sys.argv[3] == 'params'
PAD_FLOW = '--pad-flow' in sys.argv   # mirror SegAlign's oneDNN workaround (pad k>1 conv outputs to 16 ch)
torch.set_num_threads(threads)

def emit(name, value):
    print('RESULT ' + json.dumps({'fw': 'pytorch', 'threads': torch.get_num_threads(), 'name': name, 'value': value}), flush=True)

def scale(c, width=0.5):
    # C# Math.Round = banker's rounding, Python round() too
    return max(8, int(round(c * width / 8.0)) * 8)

def conv(cin, cout, k, stride=1, dilation=1, bias=False, init='kaiming'):
    m = nn.Conv2d(cin, cout, k, stride, padding=dilation * (k - 1) // 2, dilation=dilation, bias=bias)
    if init == 'kaiming':
        nn.init.kaiming_normal_(m.weight, mode='fan_out', nonlinearity='relu')
        if bias: nn.init.zeros_(m.bias)
    return m  # else PyTorch default init

def resize(x, h, w, align_corners):
    if x.shape[2] == h and x.shape[3] == w:   # Ops.Resize is a no-op at the same size
        return x
    return F.interpolate(x, size=(h, w), mode='bilinear', align_corners=align_corners)

class ConvBnAct(nn.Module):
    def __init__(self, cin, cout, k, act=True):
        super().__init__()
        self.conv = conv(cin, cout, k); self.bn = nn.BatchNorm2d(cout); self.act = act
    def forward(self, x):
        y = self.bn(self.conv(x))
        return F.relu(y) if self.act else y

class BasicBlock(nn.Module):
    def __init__(self, inplanes, planes, stride):
        super().__init__()
        self.conv1 = conv(inplanes, planes, 3, stride); self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = conv(planes, planes, 3); self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = nn.Sequential(conv(inplanes, planes, 1, stride), nn.BatchNorm2d(planes))
    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        identity = x if self.downsample is None else self.downsample(x)
        return F.relu(y + identity)

class ResNet18(nn.Module):
    def __init__(self, width=0.5):
        super().__init__()
        stem = scale(64, width)
        self.conv1 = conv(3, stem, 7, 2); self.bn1 = nn.BatchNorm2d(stem)
        self.inplanes = stem
        self.layer1 = self._make(scale(64, width), 2, 1)
        self.layer2 = self._make(scale(128, width), 2, 2)
        self.layer3 = self._make(scale(256, width), 2, 2)
        self.layer4 = self._make(scale(512, width), 2, 2)
        self.channels = [scale(c, width) for c in (64, 128, 256, 512)]
    def _make(self, planes, n, stride):
        layers = [BasicBlock(self.inplanes, planes, stride)]
        self.inplanes = planes
        layers += [BasicBlock(planes, planes, 1) for _ in range(1, n)]
        return nn.Sequential(*layers)
    def forward(self, x):
        c1 = F.relu(self.bn1(self.conv1(x)))
        c2 = self.layer1(F.max_pool2d(c1, 3, 2, 1))
        c3 = self.layer2(c2); c4 = self.layer3(c3); c5 = self.layer4(c4)
        return [c1, c2, c3, c4, c5]

class PyramidPooling(nn.Module):
    def __init__(self, cin, cout, bins=(1, 2, 3, 6), dropout=0.1):
        super().__init__()
        self.bins = bins
        self.stages = nn.ModuleList([ConvBnAct(cin, cout, 1, act=False) for _ in bins])
        self.bottleneck = ConvBnAct(cin + len(bins) * cout, cout, 1)
        self.dropout = dropout
    def forward(self, x):
        h, w = x.shape[2], x.shape[3]
        priors = [resize(st(F.adaptive_avg_pool2d(x, (b, b))), h, w, True) for b, st in zip(self.bins, self.stages)]
        priors.append(x)
        return F.dropout2d(self.bottleneck(torch.cat(priors, 1)), self.dropout, self.training)

def conv2d_padded(x, weight, padding):
    # SegAlign's Ops.Conv2dPaddedOutput: k>1 conv with out-channels % 16 != 0 -> zero-pad filters, slice output
    cout = weight.shape[0]; extra = 16 - cout % 16
    pw = torch.cat([weight, torch.zeros(extra, *weight.shape[1:], dtype=weight.dtype)], 0)
    return F.conv2d(x, pw, None, 1, padding).narrow(1, 0, cout)

class AlignedModule(nn.Module):
    def __init__(self, c, r):
        super().__init__()
        self.down_h = nn.Conv2d(c, r, 1, bias=False)
        self.down_l = nn.Conv2d(c, r, 1, bias=False)
        self.flow_make = nn.Conv2d(2 * r, 2, 3, padding=1, bias=False)
    def forward(self, low, high):
        h, w = low.shape[2], low.shape[3]
        rl = self.down_l(low)
        rh = resize(self.down_h(high), h, w, True)
        cat = torch.cat([rh, rl], 1)
        flow = conv2d_padded(cat, self.flow_make.weight, 1) if PAD_FLOW else self.flow_make(cat)
        # FlowWarp.Warp with the SFNet convention: grid = base + permute(flow) / (W, H); grid_sample bilinear, zeros, align_corners
        divisor = torch.tensor([float(w), float(h)]).view(1, 1, 1, 2)
        normalised = flow.permute(0, 2, 3, 1) / divisor
        ys = torch.linspace(-1.0, 1.0, h); xs = torch.linspace(-1.0, 1.0, w)
        base = torch.stack([xs.view(1, w).expand(h, w), ys.view(h, 1).expand(h, w)], -1).unsqueeze(0)
        grid = base + normalised
        return F.grid_sample(high, grid, mode='bilinear', padding_mode='zeros', align_corners=True)

class FpnDecoder(nn.Module):
    def __init__(self, in_ch, d, num_classes, sfnet=False):
        super().__init__()
        self.ppm = PyramidPooling(in_ch[3], d)
        self.fpn_in = nn.ModuleList([ConvBnAct(in_ch[i], d, 1) for i in range(3)])
        self.fpn_out = nn.ModuleList([ConvBnAct(d, d, 3) for _ in range(3)])
        self.fuse = ConvBnAct(4 * d, d, 3)
        self.classifier = conv(d, num_classes, 1, bias=True, init='default')
        self.sfnet = sfnet
        if sfnet:
            self.fpn_out_align = nn.ModuleDict({k: AlignedModule(d, d // 2) for k in ('p2', 'p3', 'p4')})
    def top_down(self, i, lateral, coarser):
        if self.sfnet:
            return lateral + self.fpn_out_align['p%d' % (i + 2)](lateral, coarser)
        return lateral + resize(coarser, lateral.shape[2], lateral.shape[3], True)
    def forward(self, c):
        f = self.ppm(c[3])
        levels = [None] * 4; levels[3] = f
        for i in (2, 1, 0):
            lateral = self.fpn_in[i](c[i])
            f = self.top_down(i, lateral, f)
            levels[i] = self.fpn_out[i](f)
        h, w = levels[0].shape[2], levels[0].shape[3]
        fused = [levels[0]] + [resize(levels[i], h, w, True) for i in (1, 2, 3)]
        return self.classifier(self.fuse(torch.cat(fused, 1)))

class Segmentor(nn.Module):
    def __init__(self, decoder, num_classes=11, width=0.5, d=64):
        super().__init__()
        self.backbone = ResNet18(width)
        self.decoder = FpnDecoder(self.backbone.channels, d, num_classes, sfnet=(decoder == 'sfnet'))
    def forward(self, x):
        h, w = x.shape[2], x.shape[3]
        levels = self.backbone(x)
        return resize(self.decoder(levels[1:]), h, w, False)

def lr_at(i, base=0.003, iterations=800, power=0.9, warmup=40, ratio=0.1):
    lr = base * (1.0 - i / iterations) ** power
    if i < warmup: lr *= 1 - (1 - ratio) * (1 - i / warmup)
    return lr

def median(xs): return statistics.median(xs)

if params_only:
    for dec in ('fpn', 'sfnet'):
        torch.manual_seed(0)
        m = Segmentor(dec)
        emit('params_' + dec, sum(p.numel() for p in m.parameters()))
        emit('params_decoder_' + dec, sum(p.numel() for p in m.decoder.parameters()))
        with open('params_pytorch_%s.txt' % dec, 'w') as f:
            for n, p in m.named_parameters(): f.write('%s %s\n' % (n, 'x'.join(str(s) for s in p.shape)))
    sys.exit(0)

def serve(decoder, batch, size, classes, warmup):
    if decoder not in ('fpn', 'sfnet'):
        sys.exit('serve: no replica of decoder %r (fpn, sfnet)' % decoder)
    torch.manual_seed(0)
    model = Segmentor(decoder, classes)
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=0.003, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)
    gen = torch.Generator().manual_seed(0)
    batches = [((torch.rand(batch, 3, size, size, generator=gen) * 2 - 1).numpy(),
                torch.randint(0, classes, (batch, size, size), generator=gen).numpy()) for _ in range(4)]
    state = {'i': 0}
    def step():
        # Trainer.Step: tensors from host arrays, forward, CE(ignore 255), zero_grad, backward, AdamW, loss read back
        i = state['i']; state['i'] += 1
        img, lab = batches[i % 4]
        images = torch.tensor(img); labels = torch.tensor(lab)
        for g in opt.param_groups: g['lr'] = lr_at(i % 800)
        loss = F.cross_entropy(model(images), labels, ignore_index=255)
        model.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        loss.item()
    for _ in range(warmup): step()
    print('READY ' + json.dumps({'params': sum(p.numel() for p in model.parameters()), 'torch': torch.__version__,
                                 'threads': torch.get_num_threads()}), flush=True)
    while True:
        line = sys.stdin.readline()
        words = line.split()
        if not line or (words and words[0] == 'quit'):
            return
        if not words:
            continue
        if words[0] != 'train' or len(words) != 2 or not words[1].isdigit():
            sys.exit('serve: unknown command %r (send "train N" or "quit")' % line.strip())
        t0 = time.perf_counter()
        for _ in range(int(words[1])): step()
        print('RESULT %r' % (time.perf_counter() - t0), flush=True)

if SERVE:
    serve(sys.argv[2], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7]))
    sys.exit(0)

# 0. warm-up: ~1.5 s of 3x3 convs on all threads (the SegAlign side of a comparison should warm up the same way)
xw, ww = torch.randn(16, 64, 32, 32), torch.randn(64, 64, 3, 3)
t0 = time.perf_counter()
with torch.no_grad():
    while time.perf_counter() - t0 < 1.5: F.conv2d(xw, ww, None, 1, 1)
# 1. matmul 2048^2 (same recipe as Benchmarks.MatmulPeakGflops but fewer repeats: generic BLAS is slow)
n = 2048
a, b = torch.randn(n, n), torch.randn(n, n)
torch.matmul(a, b)
ts = []
for _ in range(2):
    t0 = time.perf_counter(); torch.matmul(a, b); ts.append(time.perf_counter() - t0)
emit('matmul2048_gflops', 2.0 * n ** 3 / median(ts) / 1e9)
del a, b

# 2. conv micro
def timeit(fn, n):
    for _ in range(3): fn()
    ts = []
    for _ in range(n):
        t0 = time.perf_counter(); fn(); ts.append((time.perf_counter() - t0) * 1000)
    return median(ts)
w = torch.randn(64, 64, 3, 3, requires_grad=True)
w1 = torch.randn(64, 64, 1, 1)
for bsz in (16, 1):
    x = torch.randn(bsz, 64, 32, 32)
    with torch.no_grad():
        emit('conv3x3_b%d_fwd_ms' % bsz, timeit(lambda: F.conv2d(x, w, None, 1, 1), 20))
        emit('conv1x1_b%d_fwd_ms' % bsz, timeit(lambda: F.conv2d(x, w1, None, 1, 0), 20))
    if bsz == 1:
        xs_, ws_ = torch.randn(1, 32, 16, 16), torch.randn(32, 32, 3, 3)
        with torch.no_grad():
            emit('conv3x3_32c_16px_b1_fwd_ms', timeit(lambda: F.conv2d(xs_, ws_, None, 1, 1), 50))
    if bsz == 16:
        xg = x.detach().requires_grad_(True)
        def fb():
            y = F.conv2d(xg, w, None, 1, 1); y.sum().backward(); w.grad.zero_(); xg.grad.zero_()
        emit('conv3x3_b%d_fwdbwd_ms' % bsz, timeit(fb, 20))

# 3. tiny-op dispatch: 10,000 adds of 16x16
a, b = torch.randn(16, 16), torch.randn(16, 16)
def loop(body):
    ts = []
    for _ in range(7):
        t0 = time.perf_counter(); body(); ts.append((time.perf_counter() - t0) * 1e6 / 10000)
    return median(ts[2:])
def add_op():
    for _ in range(10000): c = a + b
def add_fn():
    for _ in range(10000): c = torch.add(a, b)
def add_inplace():
    for _ in range(10000): a.add_(b)
def empty_loop():
    for _ in range(10000): pass
emit('tinyop_add_operator_us', loop(add_op))
emit('tinyop_torch.add_us', loop(add_fn))
emit('tinyop_add_inplace_us', loop(add_inplace))
emit('tinyop_empty_loop_us', loop(empty_loop))

# 4. per decoder ('sfnet_pad' = sfnet with SegAlign's flow_make output-channel padding mirrored)
def latency(model, batch):
    with torch.no_grad():
        x = torch.randn(batch, 3, 64, 64)
        for _ in range(5): model(x)
        ts = []
        for _ in range(30):
            t0 = time.perf_counter(); model(x); ts.append((time.perf_counter() - t0) * 1000)
    return median(ts)
for dec in ('fpn', 'sfnet', 'sfnet_pad'):
    PAD_FLOW = dec == 'sfnet_pad'
    torch.manual_seed(0)
    model = Segmentor(dec.replace('_pad', ''))
    emit('params_' + dec, sum(p.numel() for p in model.parameters()))
    # latency: eval, no_grad, randn(1,3,64,64), 5 warm-up, 30 repeats, median (Benchmarks.Latency)
    model.eval()
    if dec != 'sfnet_pad':
        emit('latency_%s_ms' % dec, latency(model, 1))
        emit('latency_b2_%s_ms' % dec, latency(model, 2))
    # training: same step as Trainer.Step: tensor from host arrays, forward, CE(ignore 255), zero_grad, backward, AdamW, loss.item()
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=0.003, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)
    B, H, W = 16, 64, 64
    gen = torch.Generator().manual_seed(0)
    batches = [((torch.rand(B, 3, H, W, generator=gen) * 2 - 1).numpy(), torch.randint(0, 11, (B, H, W), generator=gen).numpy()) for _ in range(4)]
    warm = 5; ts = []; tf = []; tb = []; to = []
    for i in range(warm + iters):
        if i == warm: t_start = time.perf_counter()
        t0 = time.perf_counter()
        img, lab = batches[i % 4]
        images = torch.tensor(img); labels = torch.tensor(lab)
        for g in opt.param_groups: g['lr'] = lr_at(min(i, 799))
        loss = F.cross_entropy(model(images), labels, ignore_index=255)
        a1 = time.perf_counter()
        model.zero_grad(set_to_none=True)
        loss.backward()
        a2 = time.perf_counter()
        opt.step()
        loss.item()
        a3 = time.perf_counter()
        if i >= warm:
            ts.append(a3 - t0); tf.append((a1 - t0) * 1000); tb.append((a2 - a1) * 1000); to.append((a3 - a2) * 1000)
    total = time.perf_counter() - t_start
    emit('train_%s_ips' % dec, iters * B / total)
    emit('train_%s_median_iter_ms' % dec, median(ts) * 1000)
    emit('train_%s_fwd_ms' % dec, median(tf)); emit('train_%s_bwd_ms' % dec, median(tb)); emit('train_%s_opt_ms' % dec, median(to))
