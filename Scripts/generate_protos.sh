#!/usr/bin/env bash
# Regenerates Sources/KeelTrain/TensorBoard/tensorboard_event.pb.swift from Protos/tensorboard_event.proto.
# Needs protoc (Debian: protobuf-compiler) and protoc-gen-swift built from the swift-protobuf version in
# Package.resolved (swift build -c release --product protoc-gen-swift in a checkout of it). CI does not run this:
# the generated file is committed.
#   Scripts/generate_protos.sh /path/to/protoc-gen-swift
set -euo pipefail
plugin=${1:?usage: Scripts/generate_protos.sh PATH_TO_protoc-gen-swift}
cd "$(dirname "$0")/.."
protoc --plugin=protoc-gen-swift="$plugin" --swift_out=Sources/KeelTrain/TensorBoard \
  --swift_opt=Visibility=Internal --proto_path=Protos Protos/tensorboard_event.proto
# The generated file starts with `// swift-format-ignore-file`: the lint leaves protoc-gen-swift's style alone.
echo "wrote Sources/KeelTrain/TensorBoard/tensorboard_event.pb.swift"
