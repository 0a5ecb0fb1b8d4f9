# The production image: a build stage compiles the TypeScript (npm run build → dist/), the
# runtime stage has production dependencies only (no tsx, no demo or simulator packages) and
# runs the compiled `counterpart` as an unprivileged user. One image for every Procfile role:
# the command picks the role (compose.yaml). test/ops/container.test.ts checks that CMD is the
# command the suite starts from a build.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY connectors ./connectors
COPY jobs ./jobs
COPY migrations ./migrations
COPY sim ./sim
RUN npm run build

FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 DATA_DIR=/data
WORKDIR /app
# DejaVu Sans for the PDFs the store renders (Cyrillic; src/store/documents/pdf.ts).
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends fonts-dejavu-core && rm -rf /var/lib/apt/lists/*
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json Procfile ./
COPY bin ./bin
COPY views ./views
COPY public ./public
COPY connectors/mappings ./connectors/mappings
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
CMD ["node", "bin/counterpart.js", "web"]
