# syntax=docker/dockerfile:1
# Build:  docker build -t parley .
# Run:    docker run -p 8080:8080 -e PARLEY_API_KEY=change-me -v parley-data:/var/lib/parley parley

# --- build stage: the same Debian packages scripts/run installs (scripts/packages/build.txt)
FROM debian:12-slim AS build
COPY scripts/packages/build.txt /tmp/build.txt
RUN apt-get update \
 && grep -v '^#' /tmp/build.txt | xargs apt-get install -y --no-install-recommends \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt ./
COPY cmake cmake
COPY core core
COPY storage storage
COPY server server
COPY tests tests
COPY bench bench
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DPARLEY_BUILD_TESTS=OFF -DPARLEY_BUILD_BENCH=OFF \
 && cmake --build build --target parleyd \
 && strip build/server/parleyd

# --- runtime stage: runtime libraries only (scripts/packages/runtime.txt), non-root.
# No compiler, no headers, no package caches: debian:12-slim plus the shared
# libraries parleyd links (tests/deploy/runtime_packages_test.sh keeps the list
# complete). The chat page is embedded in the binary; nothing else to copy.
FROM debian:12-slim
LABEL org.opencontainers.image.title="parley" \
      org.opencontainers.image.description="AI agent gateway daemon: REST, SSE, WebSocket, OpenAI-compatible API and a web chat page"
COPY scripts/packages/runtime.txt /tmp/runtime.txt
RUN apt-get update \
 && grep -v '^#' /tmp/runtime.txt | xargs apt-get install -y --no-install-recommends \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/apt/* /var/log/dpkg.log /tmp/runtime.txt \
 && groupadd --system --gid 10001 parley \
 && useradd --system --uid 10001 --gid parley --home-dir /var/lib/parley --create-home --shell /usr/sbin/nologin parley
COPY --from=build /src/build/server/parleyd /usr/local/bin/parleyd
COPY deploy/parley.container.toml /etc/parley/parley.toml
# Numeric, so Kubernetes' runAsNonRoot can check it (deploy/kubernetes uses the same ids).
USER 10001:10001
WORKDIR /var/lib/parley
VOLUME ["/var/lib/parley"]
EXPOSE 8080
# bash's /dev/tcp keeps the image free of an HTTP client.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q ' 200 ' <&3"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/parleyd", "--config", "/etc/parley/parley.toml"]
