FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
ENV PORT=4000
EXPOSE 4000
USER node
# tsx runs the TypeScript sources directly; there is no separate build output.
CMD ["node", "--import", "tsx", "src/main.ts"]
