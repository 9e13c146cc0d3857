//! Where the CPU time of a run went: the server, this process (the Stripe emulator and the load
//! tool) and PostgreSQL, from `/proc` (user + system time). The two cores are shared, so this
//! says what a figure is made of.

use std::fmt;

/// CPU seconds used so far.
#[derive(Debug, Clone, Copy, Default)]
pub struct Usage {
    server: f64,
    bench: f64,
    postgres: f64,
}

impl Usage {
    pub fn now(server_pid: u32) -> Usage {
        Usage {
            server: process_seconds(&server_pid.to_string()),
            bench: process_seconds("self"),
            postgres: postgres_seconds(),
        }
    }

    /// What was used between `earlier` and `self`.
    pub fn since(self, earlier: Usage) -> Usage {
        Usage {
            server: self.server - earlier.server,
            bench: self.bench - earlier.bench,
            postgres: self.postgres - earlier.postgres,
        }
    }
}

impl fmt::Display for Usage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "CPU: server {:.1} s, emulator and load tool {:.1} s, PostgreSQL {:.1} s",
            self.server, self.bench, self.postgres
        )
    }
}

/// Clock ticks per second in `/proc/<pid>/stat` (USER_HZ, 100 on Linux).
const TICKS: f64 = 100.0;

/// CPU seconds the process used so far (`self` for this one).
pub fn process_seconds(pid: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            // Fields after the command name (which may hold spaces, hence the last ')').
            let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
            let (user, system) = (fields.get(11)?, fields.get(12)?);
            Some((user.parse::<f64>().ok()? + system.parse::<f64>().ok()?) / TICKS)
        })
        .unwrap_or_default()
}

/// Every PostgreSQL process's time, those of this machine's server.
fn postgres_seconds() -> f64 {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0.0;
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|name| name.bytes().all(|b| b.is_ascii_digit()))
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|comm| comm.trim() == "postgres")
        })
        .map(|pid| process_seconds(&pid))
        .sum()
}
