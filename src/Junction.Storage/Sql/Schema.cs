namespace Junction.Storage.Sql;

/// <summary>
/// Junction's schema, written once. Each backend renders it with its own types: <c>{int}</c> (64-bit integer),
/// <c>{int32}</c>, <c>{serial_pk}</c> (auto-numbered key) and <c>{name}</c> (text that sorts bytewise).
/// </summary>
internal static class Schema
{
    public static IReadOnlyList<Migration> Render(IReadOnlyDictionary<string, string> types) =>
        [.. s_template.Select(m => m with { Sql = types.Aggregate(m.Sql, (sql, type) => sql.Replace("{" + type.Key + "}", type.Value, StringComparison.Ordinal)) })];

    private static readonly IReadOnlyList<Migration> s_template =
    [
        new(1, "tenants-and-connections", """
            CREATE TABLE tenants (
                id            TEXT PRIMARY KEY,
                domain_name   TEXT NOT NULL UNIQUE,
                project_id    TEXT NOT NULL UNIQUE,
                project_name  TEXT NOT NULL,
                account_id    TEXT NOT NULL UNIQUE,
                created_at    {int} NOT NULL
            );
            CREATE TABLE access_keys (
                id                TEXT PRIMARY KEY,
                tenant_id         TEXT NOT NULL REFERENCES tenants(id),
                protected_secret  TEXT NOT NULL,
                created_at        {int} NOT NULL
            );
            CREATE TABLE users (
                id             TEXT PRIMARY KEY,
                tenant_id      TEXT NOT NULL REFERENCES tenants(id),
                name           TEXT NOT NULL,
                password_hash  TEXT NOT NULL,
                created_at     {int} NOT NULL,
                UNIQUE (tenant_id, name)
            );
            CREATE TABLE quota_usage (
                tenant_id  TEXT NOT NULL,
                face       TEXT NOT NULL,
                used       {int} NOT NULL,
                PRIMARY KEY (tenant_id, face)
            );
            CREATE TABLE connections (
                id                TEXT PRIMARY KEY,
                tenant_id         TEXT NOT NULL REFERENCES tenants(id),
                face              TEXT NOT NULL,
                name              {name} NOT NULL,
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
                created_at        {int} NOT NULL,
                updated_at        {int} NOT NULL,
                UNIQUE (tenant_id, face, name)
            );
            CREATE INDEX ix_connections_created ON connections (tenant_id, face, created_at, id);
            CREATE INDEX ix_connections_updated ON connections (tenant_id, face, updated_at, id);
            """),
        new(2, "verification", """
            ALTER TABLE connections ADD COLUMN next_check_at {int};
            ALTER TABLE connections ADD COLUMN verify_attempts {int32} NOT NULL DEFAULT 0;
            ALTER TABLE connections ADD COLUMN checked_at {int};
            ALTER TABLE connections ADD COLUMN lease_owner TEXT;
            ALTER TABLE connections ADD COLUMN lease_token TEXT;
            ALTER TABLE connections ADD COLUMN lease_until {int};
            UPDATE connections SET next_check_at = created_at WHERE next_check_at IS NULL;
            CREATE INDEX ix_connections_due ON connections (next_check_at);
            CREATE TABLE verification_history (
                seq            {serial_pk},
                connection_id  TEXT NOT NULL,
                tenant_id      TEXT NOT NULL,
                node           TEXT NOT NULL,
                started_at     {int} NOT NULL,
                finished_at    {int} NOT NULL,
                from_state     TEXT NOT NULL,
                to_state       TEXT NOT NULL,
                ok             {int} NOT NULL,
                code           TEXT NOT NULL,
                message        TEXT NOT NULL,
                detail         TEXT NOT NULL
            );
            CREATE INDEX ix_history_connection ON verification_history (connection_id, seq);
            """),
        new(3, "tencent-eb", """
            ALTER TABLE connections ADD COLUMN enabled {int} NOT NULL DEFAULT 1;
            ALTER TABLE connections ADD COLUMN detail_json TEXT;
            CREATE TABLE event_buses (
                id            TEXT PRIMARY KEY,
                tenant_id     TEXT NOT NULL REFERENCES tenants(id),
                region        TEXT NOT NULL,
                name          {name} NOT NULL,
                description   TEXT NOT NULL,
                type          TEXT NOT NULL,
                enable_store  {int},
                save_days     {int},
                log_topic_id  TEXT,
                created_at    {int} NOT NULL,
                updated_at    {int} NOT NULL,
                UNIQUE (tenant_id, region, name)
            );
            """),
        new(4, "huawei-dli", """
            CREATE TABLE dli_queues (
                tenant_id                   TEXT NOT NULL REFERENCES tenants(id),
                name                        {name} NOT NULL,
                queue_id                    {int} NOT NULL,
                resource_id                 TEXT NOT NULL,
                queue_type                  TEXT NOT NULL,
                description                 TEXT NOT NULL,
                cu_count                    {int} NOT NULL,
                charging_mode               {int} NOT NULL,
                resource_mode               {int} NOT NULL,
                platform                    TEXT NOT NULL,
                feature                     TEXT NOT NULL,
                engine                      TEXT NOT NULL,
                labels                      TEXT,
                enterprise_project_id       TEXT NOT NULL,
                elastic_resource_pool_name  TEXT,
                cidr_in_vpc                 TEXT,
                owner                       TEXT NOT NULL,
                tags_json                   TEXT,
                created_at                  {int} NOT NULL,
                PRIMARY KEY (tenant_id, name)
            );
            CREATE TABLE dli_bindings (
                connection_id  TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
                tenant_id      TEXT NOT NULL,
                queue_name     TEXT NOT NULL,
                peer_id        TEXT NOT NULL,
                bound_at       {int} NOT NULL,
                PRIMARY KEY (connection_id, queue_name)
            );
            CREATE INDEX ix_dli_bindings_queue ON dli_bindings (tenant_id, queue_name);
            CREATE TABLE dli_tags (
                connection_id  TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
                key            TEXT NOT NULL,
                value          TEXT NOT NULL,
                PRIMARY KEY (connection_id, key)
            );
            """),
        new(5, "data-protection-keys", """
            CREATE TABLE data_protection_keys (
                friendly_name  TEXT PRIMARY KEY,
                xml            TEXT NOT NULL
            );
            """),
        new(6, "inventory", """
            CREATE TABLE networks (
                id          TEXT PRIMARY KEY,
                vpc_id      TEXT REFERENCES networks(id),
                name        TEXT,
                cidr        TEXT,
                created_at  {int} NOT NULL
            );
            CREATE INDEX ix_networks_vpc ON networks (vpc_id);
            CREATE TABLE kafka_instances (
                id                  TEXT PRIMARY KEY,
                bootstrap_servers   TEXT NOT NULL,
                security_protocol   TEXT NOT NULL,
                sasl_mechanism      TEXT,
                user_name           TEXT,
                protected_password  TEXT,
                created_at          {int} NOT NULL,
                updated_at          {int} NOT NULL
            );
            """),
        new(7, "eg-data-plane", """
            CREATE TABLE eg_resources (
                tenant_id    TEXT NOT NULL REFERENCES tenants(id),
                kind         TEXT NOT NULL,
                id           TEXT NOT NULL,
                parent_id    TEXT,
                name         {name} NOT NULL,
                unique_name  {name},
                label        TEXT,
                ref_id       TEXT,
                body         TEXT NOT NULL,
                created_at   {int} NOT NULL,
                updated_at   {int} NOT NULL,
                PRIMARY KEY (tenant_id, kind, id),
                UNIQUE (tenant_id, kind, unique_name)
            );
            CREATE INDEX ix_eg_resources_parent ON eg_resources (tenant_id, kind, parent_id);
            CREATE INDEX ix_eg_resources_created ON eg_resources (tenant_id, kind, created_at, id);
            CREATE TABLE events (
                seq          {serial_pk},
                tenant_id    TEXT NOT NULL,
                channel_id   TEXT NOT NULL,
                source       TEXT NOT NULL,
                event_id     TEXT NOT NULL,
                type         TEXT NOT NULL,
                subject      TEXT,
                body         TEXT NOT NULL,
                received_at  {int} NOT NULL
            );
            CREATE INDEX ix_events_channel ON events (tenant_id, channel_id, received_at);
            CREATE TABLE deliveries (
                id                {serial_pk},
                tenant_id         TEXT NOT NULL,
                event_seq         {int} NOT NULL,
                subscription_id   TEXT NOT NULL,
                target_id         TEXT NOT NULL,
                connection_key    TEXT NOT NULL,
                state             TEXT NOT NULL,
                phase             TEXT NOT NULL,
                attempts          {int32} NOT NULL DEFAULT 0,
                target_attempts   {int32} NOT NULL DEFAULT 0,
                next_at           {int},
                first_failure_at  {int},
                finished_at       {int},
                last_error        TEXT,
                created_at        {int} NOT NULL,
                lease_owner       TEXT,
                lease_token       TEXT,
                lease_until       {int}
            );
            CREATE INDEX ix_deliveries_due ON deliveries (next_at);
            CREATE INDEX ix_deliveries_event ON deliveries (event_seq);
            CREATE INDEX ix_deliveries_target ON deliveries (tenant_id, target_id, state);
            CREATE INDEX ix_deliveries_state ON deliveries (state, id);
            CREATE TABLE delivery_attempts (
                seq          {serial_pk},
                delivery_id  {int} NOT NULL,
                phase        TEXT NOT NULL,
                node         TEXT NOT NULL,
                at           {int} NOT NULL,
                duration_ms  {int32} NOT NULL,
                kind         TEXT NOT NULL,
                code         TEXT NOT NULL,
                message      TEXT NOT NULL,
                status       {int32}
            );
            CREATE INDEX ix_delivery_attempts ON delivery_attempts (delivery_id, seq);
            """),
        new(8, "dli-connectivity-tests", """
            CREATE TABLE dli_connectivity_tasks (
                id           {serial_pk},
                tenant_id    TEXT NOT NULL REFERENCES tenants(id),
                queue_name   TEXT NOT NULL,
                address      TEXT NOT NULL,
                host         TEXT NOT NULL,
                port         {int32} NOT NULL,
                state        TEXT NOT NULL,
                message      TEXT,
                created_at   {int} NOT NULL,
                finished_at  {int},
                next_at      {int},
                attempts     {int32} NOT NULL DEFAULT 0,
                lease_owner  TEXT,
                lease_token  TEXT,
                lease_until  {int}
            );
            CREATE INDEX ix_dli_connectivity_due ON dli_connectivity_tasks (next_at);
            CREATE INDEX ix_dli_connectivity_tenant ON dli_connectivity_tasks (tenant_id, state, finished_at);
            """),
        new(9, "readiness-and-tag-index", """
            CREATE TABLE readiness (
                node        TEXT PRIMARY KEY,
                checked_at  {int} NOT NULL
            );
            CREATE INDEX ix_dli_tags_pair ON dli_tags (key, value);
            """),
        new(10, "inventory-owners", """
            ALTER TABLE networks ADD COLUMN tenant TEXT;
            ALTER TABLE networks ADD COLUMN shared {int} NOT NULL DEFAULT 0;
            ALTER TABLE kafka_instances ADD COLUMN tenant TEXT;
            ALTER TABLE kafka_instances ADD COLUMN shared {int} NOT NULL DEFAULT 0;
            """),
        new(11, "eb-data-plane", """
            CREATE TABLE eb_rules (
                id                 TEXT PRIMARY KEY,
                tenant_id          TEXT NOT NULL REFERENCES tenants(id),
                bus_id             TEXT NOT NULL,
                name               {name} NOT NULL,
                description        TEXT NOT NULL,
                enabled            {int} NOT NULL,
                pattern            TEXT NOT NULL,
                dead_letter        TEXT,
                transformation_id  TEXT,
                transformation     TEXT,
                created_at         {int} NOT NULL,
                updated_at         {int} NOT NULL,
                UNIQUE (tenant_id, bus_id, name)
            );
            CREATE INDEX ix_eb_rules_bus ON eb_rules (tenant_id, bus_id, created_at, id);
            CREATE TABLE eb_targets (
                id                 TEXT PRIMARY KEY,
                tenant_id          TEXT NOT NULL REFERENCES tenants(id),
                bus_id             TEXT NOT NULL,
                rule_id            TEXT NOT NULL,
                type               TEXT NOT NULL,
                description        TEXT NOT NULL,
                enable_batch       {int} NOT NULL DEFAULT 0,
                batch_timeout      {int},
                batch_event_count  {int},
                created_at         {int} NOT NULL,
                updated_at         {int} NOT NULL
            );
            CREATE INDEX ix_eb_targets_rule ON eb_targets (tenant_id, rule_id, created_at, id);
            CREATE TABLE http_functions (
                id          TEXT PRIMARY KEY,
                url         TEXT NOT NULL,
                tenant      TEXT,
                shared      {int} NOT NULL DEFAULT 0,
                created_at  {int} NOT NULL,
                updated_at  {int} NOT NULL
            );
            ALTER TABLE events ADD COLUMN face TEXT NOT NULL DEFAULT 'eg';
            ALTER TABLE deliveries ADD COLUMN face TEXT NOT NULL DEFAULT 'eg';
            """),
        new(12, "operator-console", """
            CREATE INDEX ix_connections_all ON connections (created_at, id);
            CREATE INDEX ix_connections_state ON connections (state, created_at, id);
            CREATE INDEX ix_connections_face_state ON connections (face, state);
            CREATE INDEX ix_eg_resources_ref ON eg_resources (tenant_id, kind, ref_id);
            CREATE INDEX ix_delivery_attempts_at ON delivery_attempts (at);
            CREATE INDEX ix_history_failed ON verification_history (connection_id, to_state, from_state, finished_at);
            """),
        // "face" means the API dialect only (eg, eb, dli; events and deliveries keep it). What a connection and a quota
        // counter store is their scope: names are unique and quotas count per tenant and scope ("eg", "eb:<bus>",
        // "dli", and a soft-deleted DLI connection's own "dli~deleted:<id>"). Indexes follow a renamed column.
        new(13, "scope-names", """
            ALTER TABLE connections RENAME COLUMN face TO scope;
            ALTER TABLE quota_usage RENAME COLUMN face TO scope;
            DROP INDEX ix_connections_face_state;
            CREATE INDEX ix_connections_scope_state ON connections (scope, state);
            """),
        // A delivery's claim reads the oldest due jobs and their connections from the due index alone (LeaseSql.Claim);
        // finished jobs (no due time) leave it.
        new(14, "delivery-due-index", """
            DROP INDEX ix_deliveries_due;
            CREATE INDEX ix_deliveries_due ON deliveries (next_at, connection_key) WHERE next_at IS NOT NULL;
            """),
        // A completion changes a job's state: with (state, id) and (tenant_id, target_id, state) it moved two index
        // entries per attempt (about 40% of a completion's cost in SQLite, docs/performance.md). Failed and dead-lettered jobs, the ones looked
        // for by state (the console, redrive), keep an index each; pending ones are found by their due time.
        new(15, "delivery-state-indexes", """
            DROP INDEX ix_deliveries_state;
            DROP INDEX ix_deliveries_target;
            CREATE INDEX ix_deliveries_target ON deliveries (tenant_id, target_id);
            CREATE INDEX ix_deliveries_failed ON deliveries (id) WHERE state = 'Failed';
            CREATE INDEX ix_deliveries_dead_lettered ON deliveries (id) WHERE state = 'DeadLettered';
            """),
        // A tenant's EG resources change its generation in the same transaction (SqlEgStore): a publish reads this one
        // row, and its channel's routes are read again only when the number moved (EgPublisher).
        new(16, "eg-generations", """
            CREATE TABLE eg_generations (
                tenant_id   TEXT PRIMARY KEY,
                generation  {int} NOT NULL
            );
            """),
        // The same for EB's rules and targets (EbPublisher): one table of generations, by tenant and face.
        new(17, "resource-generations", """
            CREATE TABLE resource_generations (
                tenant_id   TEXT NOT NULL,
                face        TEXT NOT NULL,
                generation  {int} NOT NULL,
                PRIMARY KEY (tenant_id, face)
            );
            INSERT INTO resource_generations (tenant_id, face, generation) SELECT tenant_id, 'eg', generation FROM eg_generations;
            DROP TABLE eg_generations;
            """),
        // A delivery that succeeds keeps its successful attempt on its own row instead of a delivery_attempts row: the
        // most common completion then updates one row and writes no other (an attempt row, its two index entries and
        // its sequence number were about 45% of a completion's cost in SQLite, docs/performance.md). Failed attempts, and
        // a dead-letter queue's, keep their rows; readers of attempts see both (SqlDeliveryStore).
        new(18, "delivery-success-on-job", """
            ALTER TABLE deliveries ADD COLUMN success_at {int};
            ALTER TABLE deliveries ADD COLUMN success_ms {int32};
            ALTER TABLE deliveries ADD COLUMN success_node TEXT;
            ALTER TABLE deliveries ADD COLUMN success_code TEXT;
            ALTER TABLE deliveries ADD COLUMN success_message TEXT;
            ALTER TABLE deliveries ADD COLUMN success_status {int32};
            CREATE INDEX ix_deliveries_success ON deliveries (success_at) WHERE success_at IS NOT NULL;
            """),
    ];
}
