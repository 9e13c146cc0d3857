//! Both databases get their schema from one set of migrations; this test proves the result is
//! the same on each. Every pass (SQLite, PostgreSQL) compares its schema with one committed
//! description, `schema.snapshot`, so the two cannot drift apart without a failing test.
//! After a deliberate change, regenerate it with `UPDATE_SCHEMA_SNAPSHOT=1`.

use std::collections::BTreeSet;

use sqlx::Row;

use crate::helpers::{Backend, backend, spawn_app};

const SNAPSHOT: &str = include_str!("schema.snapshot");

#[tokio::test]
async fn the_migrated_schema_matches_the_committed_snapshot() {
    let app = spawn_app().await;
    let pool = app.db.pool();
    let mut lines = BTreeSet::new();
    match backend() {
        Backend::Sqlite => {
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table'
                 AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'",
            )
            .fetch_all(pool)
            .await
            .unwrap();
            for table in tables {
                for row in
                    sqlx::query(r#"SELECT name, type, "notnull", pk FROM pragma_table_info($1)"#)
                        .bind(&table)
                        .fetch_all(pool)
                        .await
                        .unwrap()
                {
                    let name: String = row.get(0);
                    let ty: String = row.get(1);
                    // A primary key column is NOT NULL in PostgreSQL; SQLite reports it loosely.
                    let not_null = row.get::<i64, _>(2) == 1 || row.get::<i64, _>(3) > 0;
                    lines.insert(column_line(&table, &name, &ty, not_null));
                }
                for index in sqlx::query(r#"SELECT name, "unique" FROM pragma_index_list($1)"#)
                    .bind(&table)
                    .fetch_all(pool)
                    .await
                    .unwrap()
                {
                    let name: String = index.get(0);
                    let unique = index.get::<i64, _>(1) == 1;
                    let columns: Vec<String> =
                        sqlx::query_scalar("SELECT name FROM pragma_index_info($1) ORDER BY seqno")
                            .bind(&name)
                            .fetch_all(pool)
                            .await
                            .unwrap();
                    lines.insert(index_line(&table, &columns.join(","), unique));
                }
            }
        }
        Backend::Postgres => {
            for row in sqlx::query(
                "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text
                 FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name <> '_sqlx_migrations'",
            )
            .fetch_all(pool)
            .await
            .unwrap()
            {
                let table: String = row.get(0);
                let name: String = row.get(1);
                let ty: String = row.get(2);
                let nullable: String = row.get(3);
                lines.insert(column_line(&table, &name, &ty, nullable == "NO"));
            }
            for row in sqlx::query(
                "SELECT t.relname::text, ix.indisunique,
                        array_to_string(ARRAY(
                            SELECT a.attname FROM unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord)
                            JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
                            ORDER BY k.ord), ',')
                 FROM pg_index ix
                 JOIN pg_class t ON t.oid = ix.indrelid
                 JOIN pg_namespace n ON n.oid = t.relnamespace
                 WHERE n.nspname = current_schema() AND t.relname <> '_sqlx_migrations'",
            )
            .fetch_all(pool)
            .await
            .unwrap()
            {
                let table: String = row.get(0);
                let unique: bool = row.get(1);
                let columns: String = row.get(2);
                lines.insert(index_line(&table, &columns, unique));
            }
        }
    }
    let actual: String = lines.into_iter().map(|l| l + "\n").collect();
    if std::env::var("UPDATE_SCHEMA_SNAPSHOT").is_ok() {
        std::fs::write(
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/api/schema.snapshot"),
            &actual,
        )
        .unwrap();
        return;
    }
    assert_eq!(
        actual,
        SNAPSHOT,
        "{:?} schema differs from tests/api/schema.snapshot",
        backend()
    );
}

fn column_line(table: &str, column: &str, ty: &str, not_null: bool) -> String {
    let null = if not_null { "NOT NULL" } else { "NULL" };
    format!("{table}.{column} {} {null}", ty.to_uppercase())
}

fn index_line(table: &str, columns: &str, unique: bool) -> String {
    let kind = if unique { "UNIQUE" } else { "INDEX" };
    format!("{table} {kind} ({columns})")
}
