# syntax=docker/dockerfile:1
# One image for every role (API, projector, gateway, voice): the role is chosen by RUN_* variables (docker-compose.yml).
# Node 24 LTS on Debian 13 (glibc 2.41), which loads the official uWebSockets.js release; Debian 12's glibc 2.36 does
# not, which is why development here stays on Node 20 with the npm registry's build (README: "Supported runtimes").

ARG NODE_IMAGE=node:24-trixie-slim
# The official uWebSockets.js release, pinned to its tag (distributed from GitHub, so fetched at image build).
ARG UWS_RELEASE=v20.52.0

FROM ${NODE_IMAGE} AS build
ARG UWS_RELEASE
# mediasoup's install script fetches its prebuilt worker, or builds it from source with these.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-pip make g++ git ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts ./scripts
COPY tools ./tools
RUN npm ci \
 && npm install --no-save "uWebSockets.js@github:uNetworking/uWebSockets.js#${UWS_RELEASE}" \
 && npm prune --omit=dev \
 && bash scripts/mediasoup-worker.sh path
COPY tsconfig.json ./
COPY src ./src
COPY course ./course

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production API_HOST=0.0.0.0 GATEWAY_HOST=0.0.0.0 VOICE_LISTEN_IP=0.0.0.0
WORKDIR /app
COPY --from=build --chown=node:node /app /app
USER node
EXPOSE 3000 3001
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.API_PORT ?? 3000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
CMD ["node", "--import", "tsx", "src/main.ts"]
