# syntax=docker/dockerfile:1
# CloudRoute: one static binary on a distroless base.
#   docker build -t cloudroute .
#   docker run --rm -p 8080:8080 -e DATABASE_URL=... -e REDIS_URL=... cloudroute serve

FROM golang:1.26 AS build
WORKDIR /src
ENV CGO_ENABLED=0 GOFLAGS=-mod=readonly
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    go build -trimpath -ldflags="-s -w" -o /out/cloudroute ./cmd/cloudroute

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/cloudroute /cloudroute
USER nonroot:nonroot
ENV HTTP_ADDR=:8080
EXPOSE 8080
ENTRYPOINT ["/cloudroute"]
CMD ["serve"]
