# Multi-stage: the SDK image builds, a runtime-only image runs chaos as a non-root user.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/Proxy/Chaos.Proxy.csproj -c Release -o /app

# aspnet, not runtime: the control API (Kestrel) comes from the ASP.NET Core shared framework.
FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app ./
COPY scenarios ./scenarios
USER $APP_UID

# Toxiproxy's API port and address, so its clients and Testcontainers' Toxiproxy modules work unchanged.
# Like Toxiproxy's image the API is open to whoever reaches the port; set CHAOS_API_TOKEN to require a bearer token.
EXPOSE 8474
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
    CMD ["dotnet", "/app/chaos.dll", "cli", "--host", "http://127.0.0.1:8474", "version"]
ENTRYPOINT ["dotnet", "/app/chaos.dll"]
CMD ["serve", "-host", "0.0.0.0", "-port", "8474", "--insecure-public-api"]
