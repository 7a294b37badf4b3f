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
ENTRYPOINT ["dotnet", "/app/chaos.dll"]
CMD ["--help"]
