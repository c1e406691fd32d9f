# syntax=docker/dockerfile:1
# The otelcol-qualys distribution as a container image:
#
#   docker build -t otelcol-qualys .
#   docker run -e QUALYS_USERNAME -e QUALYS_PASSWORD -e QUALYS_PLATFORM=US1 \
#     -e OTLP_ENDPOINT=otel-gateway:4317 -v otelcol-qualys-data:/var/lib/otelcol/file_storage otelcol-qualys
#
# The default configuration is examples/single-collector.yaml; mount another file and pass
# --config=/path/to/it to replace it. examples_test.go checks this file statically (there is no
# Docker engine in CI): COPY sources exist and are not in .dockerignore, the copied configuration is
# a validated example, and the entrypoint is the binary builder-config.yaml names.

ARG GO_VERSION=1.26

# Build stage: the same `make build` as on a workstation (ocb v0.161.0 from builder-config.yaml,
# this receiver from the build context).
FROM golang:${GO_VERSION} AS build
# Lets a build use a module proxy mirror (docker build --build-arg GOPROXY=…).
ARG GOPROXY
ENV GOFLAGS=-mod=mod
WORKDIR /src
# Modules first, so that a source change does not download them again.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    make build \
 && mkdir -p /out/var/lib/otelcol/file_storage

# Runtime stage: ocb builds with CGO_ENABLED=0, so the static distroless image (CA certificates,
# tzdata, a nonroot user, no shell) is enough.
FROM gcr.io/distroless/static-debian12:nonroot
LABEL org.opencontainers.image.title="otelcol-qualys" \
      org.opencontainers.image.description="OpenTelemetry Collector with the Qualys VMDR and Policy Compliance receiver" \
      org.opencontainers.image.licenses="Apache-2.0"
COPY --from=build /src/_build/otelcol-qualys /otelcol-qualys
COPY examples/single-collector.yaml /etc/otelcol-qualys/config.yaml
# file_storage's directory (checkpoints, exporter queue), owned by the nonroot user so that a fresh
# named volume mounted here inherits a writable directory.
COPY --from=build --chown=65532:65532 /out/var/lib/otelcol/file_storage /var/lib/otelcol/file_storage
VOLUME ["/var/lib/otelcol/file_storage"]
USER 65532:65532
# The collector's own metrics (Prometheus), see service::telemetry in the configuration.
EXPOSE 8888
ENTRYPOINT ["/otelcol-qualys"]
CMD ["--config=/etc/otelcol-qualys/config.yaml"]
