using Junction.Storage.Sql;

namespace Junction.Storage.Sqlite;

internal static class SqliteMigrations
{
    public static readonly IReadOnlyList<Migration> All =
    [
        new(1, "tenants-and-connections", """
            CREATE TABLE tenants (
                id            TEXT PRIMARY KEY,
                domain_name   TEXT NOT NULL UNIQUE,
                project_id    TEXT NOT NULL UNIQUE,
                project_name  TEXT NOT NULL,
                account_id    TEXT NOT NULL UNIQUE,
                created_at    INTEGER NOT NULL
            );
            CREATE TABLE access_keys (
                id                TEXT PRIMARY KEY,
                tenant_id         TEXT NOT NULL REFERENCES tenants(id),
                protected_secret  TEXT NOT NULL,
                created_at        INTEGER NOT NULL
            );
            CREATE TABLE users (
                id             TEXT PRIMARY KEY,
                tenant_id      TEXT NOT NULL REFERENCES tenants(id),
                name           TEXT NOT NULL,
                password_hash  TEXT NOT NULL,
                created_at     INTEGER NOT NULL,
                UNIQUE (tenant_id, name)
            );
            CREATE TABLE quota_usage (
                tenant_id  TEXT NOT NULL,
                face       TEXT NOT NULL,
                used       INTEGER NOT NULL,
                PRIMARY KEY (tenant_id, face)
            );
            CREATE TABLE connections (
                id                TEXT PRIMARY KEY,
                tenant_id         TEXT NOT NULL REFERENCES tenants(id),
                face              TEXT NOT NULL,
                name              TEXT NOT NULL,
                description       TEXT NOT NULL,
                kind              TEXT NOT NULL,
                vpc_id            TEXT,
                subnet_id         TEXT,
                instance_id       TEXT,
                target_json       TEXT,
                protected_secret  TEXT,
                state             TEXT NOT NULL,
                error_code        TEXT,
                error_message     TEXT,
                error_detail      TEXT,
                created_at        INTEGER NOT NULL,
                updated_at        INTEGER NOT NULL,
                UNIQUE (tenant_id, face, name)
            );
            CREATE INDEX ix_connections_created ON connections (tenant_id, face, created_at, id);
            CREATE INDEX ix_connections_updated ON connections (tenant_id, face, updated_at, id);
            """),
    ];
}
