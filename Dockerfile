# Build stage: compiles TypeScript and the native libpcap binding.
FROM node:20-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends libpcap-dev g++ make python3 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY test ./test
COPY bench ./bench
COPY lab ./lab
RUN npm run build && npm prune --omit=dev

# Run stage: libpcap and ping only, as an unprivileged user. Capture needs CAP_NET_RAW:
#   docker run --network host --cap-add NET_RAW vrrpwatch [serve|once|replay] ...
FROM node:20-bookworm-slim
# The unprivileged user gets CAP_NET_RAW through a file capability on node (effective only when the
# container is allowed the capability: --cap-add NET_RAW).
RUN apt-get update && apt-get install -y --no-install-recommends libpcap0.8 iputils-ping libcap2-bin \
    && setcap cap_net_raw+ep "$(readlink -f /usr/local/bin/node)" \
    && apt-get purge -y libcap2-bin && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist/src ./dist/src
USER node
EXPOSE 9842
# A young generation of 4 MB (two 2 MB semi-spaces) keeps memory under 100 MB under a flood of adverts (see README, Benchmarks).
ENTRYPOINT ["node", "--max-semi-space-size=2", "/app/dist/src/cli.js"]
