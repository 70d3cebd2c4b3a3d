# Build: compile src/ to dist/ (npm ci runs `prepare`, which is scripts/build.mjs).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm ci --no-audit --no-fund

# Run: production dependencies and the compiled JavaScript, no TypeScript tooling.
FROM node:24-bookworm-slim
WORKDIR /app
ENV PORT=4000
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY --from=build /app/dist ./dist
EXPOSE 4000
USER node
CMD ["node", "dist/main.js"]
