FROM node:20-bookworm-slim
WORKDIR /app
COPY . .
RUN npm ci --no-audit --no-fund && npm run build
# A container is reached through its published port: listen on every address (the default outside production is 127.0.0.1).
ENV HOST=0.0.0.0
EXPOSE 4000
CMD ["node", "api/dist/main.js"]
