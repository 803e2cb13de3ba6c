#!/usr/bin/env python3
"""Writes the fuzz regression corpus (Tests/KeelFuzzTests/Corpus/<target>/…): the inputs that crashed, hung
or exhausted memory in Keel before issue 13, hand-made from its report. A name ending in ".reject" must be
rejected with an error; any other must simply not crash. Run from the repository root."""
import gzip, json, os, struct, zlib

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "KeelFuzzTests", "Corpus")


def put(target, name, data):
    os.makedirs(os.path.join(ROOT, target), exist_ok=True)
    open(os.path.join(ROOT, target, name), "wb").write(data if isinstance(data, bytes) else data.encode())


def idx(dims, payload=b""):
    return bytes([0, 0, 8, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + payload


# IDX: dimension products that overflow Int (IDX.swift:40), an empty rank, a header that lies about the size.
put("idx", "dims-ffffffff-x3.reject", idx([0xFFFFFFFF] * 3))
put("idx", "dims-product-2^64.reject", idx([0x10000] * 4) + b"\0" * 16)
put("idx", "rank-0.reject", bytes([0, 0, 8, 0]))
put("idx", "zero-dims-with-data.reject", idx([40, 0, 0], b"\1" * 64))
# gzip: a bomb (8 declared bytes, 64 MB of zeros) and a truncated stream.
put("gzip", "idx-bomb.reject", gzip.compress(idx([8]) + b"\0" * (64 << 20), 9, mtime=0))
put("gzip", "truncated.reject", gzip.compress(idx([8], b"\1" * 8), mtime=0)[:20])
# CSV: labels beyond Int32 (CSVTable.swift:94), a 16 GB label, a million classes.
header = "a,b,label\n"
put("csv", "label-int32-max.reject", header + "1,2,0\n3,4,2147483647\n")
put("csv", "label-1e9.reject", header + "1,2,0\n3,4,1000000000\n")
put("csv", "label-million.reject", header + "1,2,0\n3,4,1000000\n")
put("csv", "label-negative.csv", header + "1,2,0\n3,4,-1\n")


def safetensors(entries):
    head = json.dumps(entries).encode()
    return struct.pack("<Q", len(head)) + head + b"\0" * 16


# safetensors: shapes whose element count overflows (SafeTensors.swift:76/:78).
put("safetensors", "shape-2^62x4.reject", safetensors({"w": {"dtype": "F32", "shape": [1 << 62, 4], "data_offsets": [0, 16]}}))
put("safetensors", "shape-2^31x2^31.reject", safetensors({"w": {"dtype": "F32", "shape": [1 << 31, 1 << 31], "data_offsets": [0, 16]}}))
put("safetensors", "header-length-huge.reject", struct.pack("<Q", (1 << 64) - 1) + b"{}")


def model(**changes):
    m = {"model": "cnn", "input_shape": [1, 28, 28], "classes": 10, "dataset": "mnist-5k", "activation": "relu", "seed": 0,
         "dropout": 0, "normalizer": {"method": "standard", "shift": [0.13], "scale": [3.2]}}
    m.update(changes)
    return json.dumps(m)


# model.json: sizes that allocate terabytes or trap in layer initializers.
put("model-json", "input-shape-0.reject", model(input_shape=[0]))
put("model-json", "classes-0.reject", model(classes=0))
put("model-json", "classes-1e12.reject", model(classes=10 ** 12))
put("model-json", "dropout-1.5.reject", model(dropout=1.5))
put("model-json", "input-shape-huge.reject", model(input_shape=[1, 1000000000, 28]))
put("model-json", "cnn-too-small.reject", model(input_shape=[1, 5, 5]))
put("model-json", "activation-nan.reject", model(activation="leaky_relu:nan"))
put("model-json", "normalizer-empty.reject", model(normalizer={"method": "standard", "shift": [], "scale": []}))


def state(epoch=1, iteration=0, configuration={"epochs": 2, "model": {"architecture": "mlp"}}):
    return json.dumps({"format": "keel-checkpoint-2", "modelName": "mlp", "shapes": {"1.bias": [256]},
                       "position": {"epoch": 1, "batch": 0, "globalStep": 1}, "optimizerStepCount": 1, "randomStates": {},
                       "normalizer": {"method": "none", "shift": [], "scale": []}, "configuration": configuration,
                       "history": {"epochs": [], "iterations": [{"epoch": epoch, "iteration": iteration, "globalStep": 0, "loss": None,
                                                                 "accuracy": 0.1, "learningRate": 0.1, "batchSize": 64, "seconds": 0.1}]}})


# checkpoint state: positions that overflow when written (History.swift:52); null (non-finite) losses are fine.
put("checkpoint-state", "epoch-int64-max.reject", state(epoch=(1 << 63) - 1))
put("checkpoint-state", "iteration-negative.reject", state(iteration=-5))
put("checkpoint-state", "null-loss.json", state())
put("checkpoint-state", "configuration-batch-0.reject", state(configuration={"batch_size": 0}))
put("checkpoint-state", "configuration-unknown-key.reject", state(configuration={"epoch": 3}))
put("checkpoint-state", "format-1.reject", state().replace("keel-checkpoint-2", "keel-checkpoint-1"))

# CIFAR binary records (issue 15): a truncated record, a label beyond the classes, an empty file.
cifar_record = lambda label: bytes([label]) + bytes(range(256)) * 12
put("cifar", "truncated.reject", cifar_record(3)[:-1])
put("cifar", "label-200.reject", cifar_record(200))
put("cifar", "empty.reject", b"")
put("cifar", "two-records.bin", cifar_record(3) + cifar_record(9))

# run configurations (config.yaml, issue 14): unknown and duplicate keys, wrong types, values out of range, an alias
# bomb (each level doubles the nodes), deep nesting, a document that is not a mapping.
put("run-config", "unknown-key.reject", "epochs: 2\nmodel:\n  architecture: mlp\n  actvation: relu\n")
put("run-config", "duplicate-key.reject", "epochs: 2\nepochs: 3\n")
put("run-config", "epochs-string.reject", "epochs: two\n")
put("run-config", "epochs-huge.reject", "epochs: 99999999999999999999999\n")
put("run-config", "lr-nan.reject", "optimizer: {learning_rate: .nan}\n")
put("run-config", "lr-negative.reject", "optimizer: {learning_rate: -1}\n")
put("run-config", "seed-negative.reject", "seed: -1\n")
put("run-config", "architecture-resnet.reject", "model: {architecture: resnet}\n")
put("run-config", "schedule-bad.reject", "schedule: cosine_decay\n")
put("run-config", "augment-bad.reject", "augment: [random-crop:size=-4]\n")
put("run-config", "sequence.reject", "[1, 2]\n")
put("run-config", "empty.reject", "")
put("run-config", "deep.reject", "a: " + "[" * 5000 + "]" * 5000 + "\n")
bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"a{i}: &a{i} [*a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}]\n" for i in range(1, 9))
put("run-config", "alias-bomb.reject", bomb)
put("run-config", "minimal.yaml", "epochs: 1\n")


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


# PNG/JPEG: headers that claim 10¹⁰ and 288 M pixels (a 5 GB allocation) in a few bytes.
put("png", "ihdr-100000x100000.reject", b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", 100000, 100000, 8, 2, 0, 0, 0))
    + png_chunk(b"IDAT", zlib.compress(b"\0" * 64)) + png_chunk(b"IEND", b""))
jpeg = bytearray(open(os.path.join(os.path.dirname(ROOT), "..", "..", "Sources", "KeelData", "Resources", "photos", "flower.jpg"), "rb").read())
sof = next(i for i in range(len(jpeg) - 1) if jpeg[i] == 0xFF and jpeg[i + 1] in (0xC0, 0xC2))
jpeg[sof + 5:sof + 9] = struct.pack(">HH", 16384, 17578)
put("jpeg", "sof-16384x17578.reject", bytes(jpeg[:sof + 64]))
# Specs from the report: Float→Int traps, unbounded sizes, a quadratic blur, overflowing schedule steps.
for i, spec in enumerate(["scale:factor=1e30", "shift:dx=1e30", "affine:scale=0", "center-crop:height=-5,width=-5",
                          "pca-lighting:alphas=nan/0/0", "resize:height=1000000,width=1000000",
                          "crop:top=0,left=0,height=1000000,width=1000000", "blur:kernel=999999,sigma=1", ":", "",
                          "hue:factor=0.6", "rotate:degrees=45,expand=2"]):
    put("image-operation", f"issue-{i:02d}.reject", spec)
put("image-operation", "scale-past-limit.reject", "scale:factor=2000")
for i, spec in enumerate(["color-jitter:hue=0.6", "random-blur:sigma=0/0", "random-crop:size=1e30", "scale-jitter:min=1e20",
                          "random-crop:size=1000", "random-affine:scale=0/0", "noise:sigma=nan", "random-hflip:p=2"]):
    put("augmentation", f"issue-{i:02d}.reject", spec)
put("augmentation", "resized-crop-changes-size.txt", "random-resized-crop:size=5")
put("schedule", "cyclic-overflow.reject",
    "cyclic:max_lr=0.1,step_size_up=4611686018427387904,step_size_down=4611686018427387904")
put("schedule", "noisy-seed-negative.reject", "noisy_linear_cosine_decay:decay_steps=10,seed=-1")
put("schedule", "decay-steps-huge.reject", "exponential_decay:decay_steps=99999999999999999999,decay_rate=0.5")
for i, spec in enumerate(["", "leaky_relu:nan", "softplus:0", "celu:0", "elu:inf", ":"]):
    put("activation", f"issue-{i:02d}.reject", spec)
print("corpus written to", os.path.normpath(ROOT))
