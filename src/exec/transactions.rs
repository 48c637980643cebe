//! `CALL { … } IN TRANSACTIONS`: runs the subquery for batches of input rows, each batch in a
//! transaction of its own that commits (durably) before the next starts, and applies
//! Neo4j's `ON ERROR` modes and `REPORT STATUS`.
//!
//! The statement's transaction is the outer one: a batch starts with a checkpoint of it, a
//! failed batch goes back to that checkpoint, a finished one commits through
//! [`ExecCtx::commit_batch`] (which steps out of the statement gate and keeps the writer
//! lock). Nothing before the subquery has written (`semantic/transactions.rs`), so each commit
//! holds exactly one batch's writes.

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::ast::OnError;
use crate::error::{Error, ErrorClass, Phase, QueryError, Result};
use crate::exec::{build, BoxOp, ExecCtx, Operator, Row};
use crate::plan::transactions::TxBatches;
use crate::plan::LogicalPlan;
use crate::value::Value;

/// Neo4j's default batch size.
const DEFAULT_BATCH: usize = 1000;

/// Inner transaction ids of this process, for `REPORT STATUS` (`kg-transaction-N`).
static NEXT_TX_ID: AtomicU64 = AtomicU64::new(1);

pub struct InTransactions<'p> {
    pub input: BoxOp<'p>,
    pub inner: &'p LogicalPlan,
    pub imports: &'p [usize],
    pub unit: bool,
    pub tx: &'p TxBatches,
    pub profile: bool,
    /// `OF n ROWS`, once evaluated.
    pub batch: Option<usize>,
    /// The whole input, when it reads the graph (`TxBatches::eager_input`).
    pub input_rows: Option<VecDeque<Row>>,
    /// The slot of LOAD CSV's hidden position column in an input row, if there is one: the
    /// subquery's `linenumber()` and `file()` describe its own input row.
    pub position: Option<usize>,
    /// Output rows of committed (or failed) batches not yet pulled.
    pub out: VecDeque<Row>,
    /// The input is exhausted.
    pub done: bool,
    /// `ON ERROR BREAK` met a failed batch: no batch runs any more.
    pub broken: bool,
    /// Batches committed so far (for the `ON ERROR FAIL` message when there are none).
    pub committed: u64,
}

/// The `REPORT STATUS` value of one inner transaction.
fn status(started: bool, committed: bool, id: Option<u64>, error: Option<String>) -> Value {
    let mut m = BTreeMap::new();
    m.insert("started".to_string(), Value::Bool(started));
    m.insert("committed".to_string(), Value::Bool(committed));
    m.insert(
        "transactionId".to_string(),
        id.map_or(Value::Null, |n| {
            Value::String(format!("kg-transaction-{n}"))
        }),
    );
    m.insert(
        "errorMessage".to_string(),
        error.map_or(Value::Null, Value::String),
    );
    Value::Map(m)
}

/// Errors that end the statement whatever `ON ERROR` says: the user stopped it, or the store
/// itself failed (a later batch could not do better).
fn fatal(e: &Error) -> bool {
    !matches!(e, Error::Query(_))
}

impl InTransactions<'_> {
    fn batch_size(&mut self, ctx: &ExecCtx<'_>) -> Result<usize> {
        if let Some(n) = self.batch {
            return Ok(n);
        }
        let positive = |e: &crate::ast::Expr, what: &str| -> Result<usize> {
            match ctx.eval_const(e)? {
                Value::Int(n) if n > 0 => Ok(usize::try_from(n).unwrap_or(usize::MAX)),
                v => Err(QueryError::new(
                    ErrorClass::ArgumentError,
                    "InvalidArgumentValue",
                    Phase::Runtime,
                    match v {
                        Value::Int(n) => format!("{what} must be a positive integer, got {n}"),
                        v => format!("{what} must be a positive integer, got {}", v.type_name()),
                    },
                )
                .at(e.span)
                .into()),
            }
        };
        if let Some(c) = &self.tx.concurrency {
            positive(c, "the number of concurrent transactions")?;
        }
        let n = match &self.tx.batch_size {
            Some(e) => positive(e, "the batch size (OF n ROWS)")?,
            None => DEFAULT_BATCH,
        };
        self.batch = Some(n);
        Ok(n)
    }

    /// The next input row, from the buffered input when there is one.
    fn next_input(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Option<Row>> {
        if self.tx.eager_input && self.input_rows.is_none() {
            let mut all = VecDeque::new();
            while let Some(r) = self.input.next(ctx)? {
                all.push_back(r);
            }
            self.input_rows = Some(all);
        }
        match &mut self.input_rows {
            Some(rows) => Ok(rows.pop_front()),
            None => self.input.next(ctx),
        }
    }

    /// `row` extended by nulls for the subquery's columns and the status `s` if reported.
    fn padded(&self, mut row: Row, s: impl FnOnce() -> Value) -> Row {
        row.extend(std::iter::repeat_n(Value::Null, self.inner.columns.len()));
        if self.tx.report {
            row.push(s());
        }
        row
    }

    /// Every invocation of one batch, into `produced`.
    fn invoke_all(
        &self,
        ctx: &mut ExecCtx<'_>,
        rows: &[Row],
        produced: &mut Vec<Row>,
    ) -> Result<()> {
        for row in rows {
            ctx.tick()?;
            if let Some(p) = self.position.and_then(|i| row.get(i)) {
                super::load_csv::restore_position(ctx, p);
            }
            let arg = super::apply::import_row(self.imports, row);
            let mut op = build(self.inner, &arg, self.profile)?;
            if self.unit {
                while op.next(ctx)?.is_some() {}
                produced.push(row.clone());
                continue;
            }
            while let Some(r) = op.next(ctx)? {
                let mut out = row.clone();
                out.extend(r);
                produced.push(out);
            }
        }
        Ok(())
    }

    /// Runs (or, after a BREAK, skips) the next batch; false when the input is exhausted.
    fn run_batch(&mut self, ctx: &mut ExecCtx<'_>) -> Result<bool> {
        let n = self.batch_size(ctx)?;
        let mut rows = Vec::with_capacity(n.min(DEFAULT_BATCH * 10));
        while rows.len() < n {
            match self.next_input(ctx)? {
                Some(r) => rows.push(r),
                None => break,
            }
        }
        if rows.is_empty() {
            return Ok(false);
        }
        if self.broken {
            for row in rows {
                let r = self.padded(row, || status(false, false, None, None));
                self.out.push_back(r);
            }
            return Ok(true);
        }
        let id = NEXT_TX_ID.fetch_add(1, Ordering::Relaxed);
        let stats = ctx.stats;
        let cp = ctx.write()?.begin_batch();
        let base = crate::memory_budget::held();
        let mut produced = Vec::new();
        let failure = match self.invoke_all(ctx, &rows, &mut produced) {
            Ok(()) => {
                ctx.commit_batch(rows.len() as u64)?;
                crate::memory_budget::settle(base);
                self.committed += 1;
                None
            }
            Err(e) if fatal(&e) => return Err(e),
            Err(e) => Some(e),
        };
        let Some(e) = failure else {
            for mut r in produced {
                if self.tx.report {
                    r.push(status(true, true, Some(id), None));
                }
                self.out.push_back(r);
            }
            return Ok(true);
        };
        ctx.write()?.rollback_batch(cp);
        ctx.stats = stats;
        drop(produced);
        match self.tx.on_error {
            // With batches committed, the statement's end says so, whatever error ends it
            // (`error::after_batches`); before any, Neo4j's "(Transactions committed: 0)".
            OnError::Fail if self.committed == 0 => Err(with_commits(e, 0)),
            OnError::Fail => Err(e),
            mode => {
                self.broken = mode == OnError::Break;
                let message = match &e {
                    Error::Query(q) => q.message.clone(),
                    e => e.to_string(),
                };
                for row in rows {
                    let r =
                        self.padded(row, || status(true, false, Some(id), Some(message.clone())));
                    self.out.push_back(r);
                }
                Ok(true)
            }
        }
    }
}

/// Neo4j's `ON ERROR FAIL` message: the batch's error, then how many batches stay committed.
fn with_commits(e: Error, committed: u64) -> Error {
    match e {
        Error::Query(mut q) => {
            q.message = format!("{} (Transactions committed: {committed})", q.message);
            Error::Query(q)
        }
        e => e,
    }
}

impl Operator for InTransactions<'_> {
    fn next(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Option<Row>> {
        loop {
            // With an eager output, no row goes on before the last batch has committed.
            let ready = self.done || !self.tx.eager_output;
            if ready {
                if let Some(r) = self.out.pop_front() {
                    return Ok(Some(r));
                }
            }
            if self.done {
                return Ok(None);
            }
            if !self.run_batch(ctx)? {
                self.done = true;
            }
        }
    }
}
