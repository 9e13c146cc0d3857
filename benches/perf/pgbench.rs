//! The yardstick for the webhook: `pgbench`'s TPS for one single-row `UPDATE` per transaction on
//! a small table, at the same concurrency, on the same PostgreSQL server.

use sqlx::Connection;

use crate::load::CONCURRENCY;

const SECONDS: &str = "10";
/// Rows pgbench updates at random: a small table, yet 16 clients seldom wait on one row's lock
/// (the events touch distinct purchases, too).
const ROWS: i64 = 10_000;

pub async fn tps(database_url: &str) -> Result<f64, String> {
    let mut conn = sqlx::AnyConnection::connect(database_url)
        .await
        .map_err(|e| e.to_string())?;
    // PostgreSQL runs several statements sent at once as one transaction, where VACUUM may not.
    for sql in [
        "CREATE TABLE bench_counters (id BIGINT PRIMARY KEY, hits BIGINT NOT NULL)".to_owned(),
        format!("INSERT INTO bench_counters SELECT g, 0 FROM generate_series(1, {ROWS}) AS g"),
        "VACUUM ANALYZE bench_counters".to_owned(),
    ] {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut conn)
            .await
            .map_err(|e| e.to_string())?;
    }
    conn.close().await.map_err(|e| e.to_string())?;

    let script = std::env::temp_dir().join(format!("octavia-bench-{}.sql", std::process::id()));
    std::fs::write(
        &script,
        format!(
            "\\set id random(1, {ROWS})\n\
             UPDATE bench_counters SET hits = hits + 1 WHERE id = :id;\n"
        ),
    )
    .map_err(|e| e.to_string())?;
    let output = tokio::process::Command::new("pgbench")
        .args([
            "-n",
            "-c",
            &CONCURRENCY.to_string(),
            "-j",
            "2",
            "-T",
            SECONDS,
            "-f",
        ])
        .arg(&script)
        .arg(database_url)
        .output()
        .await
        .map_err(|e| format!("could not run pgbench ({e}); install postgresql-client"))?;
    let _ = std::fs::remove_file(&script);
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!(
            "pgbench failed: {}{stdout}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    stdout
        .lines()
        .find_map(|line| line.strip_prefix("tps = "))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|tps| tps.parse().ok())
        .ok_or_else(|| format!("no tps line in pgbench's output:\n{stdout}"))
}
