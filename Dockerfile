FROM node:20-bookworm-slim
WORKDIR /app
COPY . .
RUN npm ci --no-audit --no-fund && npm run build
EXPOSE 4000
CMD ["node", "api/dist/main.js"]
