# Standalone Pharos model server: `docker run -p 8080:8080 IMAGE serve <model or deployment> --host 0.0.0.0 --port 8080`.
# The same image runs the full `pharos server`; `pharos deploy export --target kubernetes` writes manifests for it.

# Production dependencies only. better-sqlite3 compiles from source when no prebuilt binary matches, hence the toolchain
# (it stays in this stage; the runtime image gets only the result).
FROM node:20-slim AS deps
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
# .npmrc tells onnxruntime-node not to download GPU providers at install (CPU binaries ship in the package).
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund

# TypeScript sources compiled to dist/ (needs the dev dependencies, which never reach the runtime image).
FROM deps AS build
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./
COPY --chown=node:node bin ./bin
# uid/gid 1000 ("node"), the user the exported Kubernetes manifests require (runAsNonRoot, runAsUser 1000).
USER node
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s \
  CMD node -e "fetch('http://127.0.0.1:8080/v2/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
ENTRYPOINT ["node", "bin/pharos.js"]
CMD ["serve", "--help"]
