//! A `kg` process that holds a database open (and so locked) until it is stopped: the other
//! process of the lock tests. Included with `#[path = "support/holder.rs"] mod holder;`.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};

pub struct Holder {
    child: Child,
    stdin: Option<ChildStdin>,
}

impl Holder {
    /// Runs `kg` (already pointed at its database) as `run --format csv -` and returns once it
    /// has answered a first statement, i.e. once it has opened the database.
    pub fn start(mut kg: Command) -> Holder {
        let mut child = kg
            .args(["run", "--format", "csv", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn the holder");
        let mut stdin = child.stdin.take().expect("holder stdin");
        writeln!(stdin, "RETURN 1 AS ready;").expect("write to the holder");
        stdin.flush().expect("flush the holder");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("holder stdout"))
            .read_line(&mut line)
            .expect("read from the holder");
        assert_eq!(line, "ready\r\n", "the holder did not start");
        Holder {
            child,
            stdin: Some(stdin),
        }
    }

    /// Ends its input, so it finishes and releases the database, and waits for it.
    pub fn stop(mut self) {
        self.stdin = None;
        let _ = self.child.wait();
    }
}
