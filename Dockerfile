# The tributary worker image (docker-compose.yml's `worker` service). tsx runs the TypeScript
# sources directly, as bin/tributary.js does in a clone, so there is no build step.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
USER node
EXPOSE 9400
ENTRYPOINT ["node", "bin/tributary.js"]
CMD ["--help"]
