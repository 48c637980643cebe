//! Pull-based execution: every plan node becomes an [`Operator`] whose `next` yields one row
//! at a time. Rows are `Vec<Value>` laid out like the plan node's `columns`.

mod aggregate;
mod apply;
mod call;
mod carry;
mod create;
mod degree;
mod delete;
mod expand;
mod expand_agg;
mod filter;
mod group_table;
mod limit;
pub mod lineage;
pub(crate) mod load_csv;
mod memo;
mod merge;
mod pair_agg;
mod parallel;
mod path;
mod prefilter;
mod project;
mod reach;
mod rel_prefilter;
mod rel_seek;
mod rel_type_scan;
mod scan;
mod search;
mod set;
pub mod shortest;
mod sort;
mod sort_rows;
mod subquery;
mod transactions;
mod varlength;

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::ast::Expr;
use crate::error::{Error, QueryError, Result};
use crate::expr::{EvalContext, Scope};
use crate::functions::FunctionContext;
use crate::model::{NodeId, Relationship};
use crate::plan::{LogicalPlan, PlanOp};
use crate::procedures::Registry;
use crate::result::WriteStats;
use crate::store::{GraphRead, GraphWrite};
use crate::value::Params;
use crate::value::Value;

/// The nested plan each subquery expression ran with so far, keyed by (expression address, the
/// variables imported), so a row after the first finds it with one hash lookup.
pub(crate) type SubPlans = Rc<RefCell<HashMap<(usize, String), Arc<crate::plan::nested::SubPlan>>>>;

/// Relationships deleted so far in the statement (without their properties), so `type(r)`
/// still reads them.
pub(crate) type DeletedRels = Rc<RefCell<HashMap<u64, Relationship>>>;

pub type Row = Vec<Value>;

/// One operator of a running plan.
pub trait Operator {
    /// The next row, or `None` when exhausted.
    fn next(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Option<Row>>;
}

pub type BoxOp<'p> = Box<dyn Operator + 'p>;

pub use pair_agg::shares::shared_on_this_thread;
pub use parallel::{default_threads, set_default_threads};

/// The graph a plan runs against: read-only for subqueries, writable for statements.
pub enum GraphAccess<'g> {
    Read(&'g dyn GraphRead),
    Write(&'g mut dyn GraphWrite),
}

/// Commits a statement's writes so far in mid-statement, for `CALL { } IN TRANSACTIONS`.
/// The façade gives one to an auto-commit statement only: it steps out of the statement gate
/// for the commit and back in after it.
pub trait BatchCommit {
    /// Commits `graph`'s writes, a batch of `rows` input rows; returns the store generation
    /// after the commit.
    fn commit_batch(&mut self, graph: &mut dyn GraphWrite, rows: u64) -> Result<u64>;
}

/// Neo4j's refusal of `CALL { } IN TRANSACTIONS` inside an explicit transaction.
pub const IMPLICIT_ONLY: &str = "A query with 'CALL { ... } IN TRANSACTIONS' can only be executed in an implicit transaction, but tried to execute in an explicit transaction.";

/// Per-operator PROFILE counters, keyed by plan node address.
pub type Profile = HashMap<usize, OpStats>;

/// One operator's PROFILE counters.
#[derive(Clone, Copy, Debug, Default)]
pub struct OpStats {
    pub rows: u64,
    /// Time spent in (and below) the operator, summed over the threads that ran it.
    pub time: Duration,
    /// Threads that ran the pipeline below an aggregation (`parallel.rs`); 0: this one.
    pub workers: usize,
}

/// Everything operators share while a statement runs.
pub struct ExecCtx<'g> {
    graph: GraphAccess<'g>,
    pub params: &'g Params,
    pub procedures: &'g Registry,
    pub generation: u64,
    pub stats: WriteStats,
    pub cancel: Option<&'g AtomicBool>,
    pub deadline: Option<(Instant, u64)>,
    ticks: u32,
    /// PROFILE counters, shared with the contexts nested plans run in.
    pub profile: Option<Rc<RefCell<Profile>>>,
    /// The statement's nested plans (pattern predicates, comprehensions, EXISTS), by expression.
    pub(crate) nested: Rc<subquery::NestedIndex>,
    /// The nested plan found for each subquery expression evaluated so far.
    pub(crate) subplans: SubPlans,
    /// The statement clock (see `EvalContext::statement_time`).
    pub clock: i128,
    pub(crate) deleted_rels: DeletedRels,
    /// Provenance plans: the most facts a row keeps (`lineage`).
    pub why_limit: usize,
    /// How `CALL { } IN TRANSACTIONS` commits a batch; `None` outside an auto-commit statement.
    pub batch_commit: Option<&'g mut (dyn BatchCommit + 'g)>,
    /// Node property values read so far; only for a statement that cannot write (`memo.rs`).
    pub(crate) memo: Option<Rc<memo::PropMemo>>,
    /// The keys a pre-filtered label scan carries per variable; only for a statement that
    /// cannot write (`carry.rs`).
    pub(crate) carry: Option<Rc<carry::CarryKeys>>,
    /// The values the scan carried for the row it returned last.
    pub(crate) carried: carry::Carried,
    /// Threads an aggregation over a large scan may use (`parallel.rs`); more than 1 only for
    /// a statement that cannot write, and never inside a subquery or a worker.
    pub threads: usize,
    /// In a parallel worker: the scan that reads one morsel, and the morsel (`parallel.rs`).
    pub(crate) morsel: Option<parallel::Morsel>,
    /// `linenumber()` and `file()`: the record the most recent LOAD CSV returned, shared with
    /// the contexts nested plans run in (null outside LOAD CSV).
    pub(crate) csv_position: Rc<RefCell<CsvPosition>>,
}

/// `linenumber()` and `file()` of the record LOAD CSV returned last, if any.
pub(crate) type CsvPosition = Option<(i64, Arc<str>)>;

impl<'g> ExecCtx<'g> {
    pub fn new(graph: GraphAccess<'g>, params: &'g Params, procedures: &'g Registry) -> Self {
        ExecCtx {
            graph,
            params,
            procedures,
            generation: 0,
            stats: WriteStats::default(),
            cancel: None,
            deadline: None,
            ticks: 0,
            profile: None,
            nested: Rc::default(),
            subplans: Rc::default(),
            clock: crate::functions::wall_clock(),
            deleted_rels: Rc::default(),
            why_limit: lineage::DEFAULT_WHY_LIMIT,
            batch_commit: None,
            memo: None,
            carry: None,
            carried: carry::Carried::default(),
            threads: 1,
            morsel: None,
            csv_position: Rc::default(),
        }
    }

    /// Makes the nested plans of `plan` (the statement about to run) findable by the
    /// subquery expressions that own them.
    pub fn use_nested_plans(&mut self, plan: &LogicalPlan) {
        self.nested = Rc::new(subquery::NestedIndex::of(plan));
    }

    /// Remembers node property values for the rest of the statement; call only when the
    /// statement's plan cannot write.
    pub fn memoize_properties(&mut self) {
        self.memo = Some(Rc::default());
    }

    /// Lets pre-filtered label scans of `plan` hand the properties the statement reads of
    /// their variable to the expressions above (`carry.rs`); call only when the statement's
    /// plan cannot write.
    pub fn carry_scanned_properties(&mut self, plan: &LogicalPlan) {
        self.carry = Some(Rc::new(carry::CarryKeys::of(plan)));
    }

    pub fn read(&self) -> &dyn GraphRead {
        match &self.graph {
            GraphAccess::Read(g) => *g,
            GraphAccess::Write(g) => &**g,
        }
    }

    pub fn write(&mut self) -> Result<&mut dyn GraphWrite> {
        match &mut self.graph {
            GraphAccess::Write(g) => Ok(&mut **g),
            GraphAccess::Read(_) => Err(QueryError::syntax(
                "InvalidClauseComposition",
                "updates are not allowed in a read-only subquery",
            )
            .into()),
        }
    }

    /// A read-only context for a subquery, sharing parameters and limits.
    pub fn child(&self) -> ExecCtx<'_> {
        ExecCtx {
            graph: GraphAccess::Read(self.read()),
            params: self.params,
            procedures: self.procedures,
            generation: self.generation,
            stats: WriteStats::default(),
            cancel: self.cancel,
            deadline: self.deadline,
            ticks: 0,
            profile: self.profile.clone(),
            nested: self.nested.clone(),
            subplans: self.subplans.clone(),
            clock: self.clock,
            deleted_rels: self.deleted_rels.clone(),
            why_limit: self.why_limit,
            batch_commit: None,
            memo: self.memo.clone(),
            carry: self.carry.clone(),
            carried: carry::Carried::default(),
            threads: 1,
            morsel: None,
            csv_position: self.csv_position.clone(),
        }
    }

    /// LOAD CSV returned the record numbered `line` of the file at `file`.
    pub(crate) fn set_csv_position(&self, line: i64, file: &Arc<str>) {
        *self.csv_position.borrow_mut() = Some((line, Arc::clone(file)));
    }

    /// Commits the statement's writes so far, a batch of `rows` input rows (`CALL { } IN
    /// TRANSACTIONS`); fails as Neo4j does where the statement runs inside an explicit
    /// transaction.
    pub fn commit_batch(&mut self, rows: u64) -> Result<()> {
        let (Some(hook), GraphAccess::Write(g)) = (&mut self.batch_commit, &mut self.graph) else {
            return Err(Error::Transaction(IMPLICIT_ONLY.into()));
        };
        self.generation = hook.commit_batch(&mut **g, rows)?;
        Ok(())
    }

    /// Checks the memory limit on every call (one thread-local read) and cancellation and the
    /// time limit every few hundred calls; operators call it in their loops.
    #[inline]
    pub fn tick(&mut self) -> Result<()> {
        self.ticks = self.ticks.wrapping_add(1);
        if self.ticks & 255 != 0 {
            return crate::memory_budget::check();
        }
        self.check_limits()
    }

    pub fn check_limits(&self) -> Result<()> {
        crate::interrupt::check_limits(self.cancel, self.deadline)
    }

    /// Evaluates `e` against a row laid out as `cols`.
    pub fn eval(&self, e: &Expr, cols: &[String], row: &[Value]) -> Result<Value> {
        crate::expr::eval(e, &RowScope { cols, row }, &EvalCx { ctx: self })
    }

    /// Evaluates with no variables (SKIP/LIMIT counts, literal maps).
    pub fn eval_const(&self, e: &Expr) -> Result<Value> {
        self.eval(e, &[], &[])
    }
}

/// A row seen as a variable scope.
pub struct RowScope<'r> {
    pub cols: &'r [String],
    pub row: &'r [Value],
}

impl Scope for RowScope<'_> {
    fn get(&self, name: &str) -> Option<&Value> {
        // Later columns never shadow earlier ones: projections put new names first.
        self.cols
            .iter()
            .position(|c| c == name)
            .and_then(|i| self.row.get(i))
    }
}

/// The expression evaluator's view of a running statement.
pub struct EvalCx<'c, 'g> {
    pub ctx: &'c ExecCtx<'g>,
}

impl FunctionContext for EvalCx<'_, '_> {
    fn graph(&self) -> &dyn GraphRead {
        self.ctx.read()
    }

    fn statement_time(&self) -> Option<i128> {
        Some(self.ctx.clock)
    }

    fn load_csv_position(&self) -> Option<(i64, Arc<str>)> {
        self.ctx.csv_position.borrow().clone()
    }

    fn deleted_relationship(&self, id: u64) -> Option<Relationship> {
        self.ctx.deleted_rels.borrow().get(&id).cloned()
    }
}

impl EvalContext for EvalCx<'_, '_> {
    fn parameter(&self, name: &str) -> Option<&Value> {
        self.ctx.params.get(name)
    }

    fn subquery(&self, expr: &Expr, scope: &dyn Scope) -> Result<Value> {
        subquery::evaluate(self.ctx, expr, scope)
    }

    fn tick(&self) -> Result<()> {
        self.ctx.check_limits()
    }

    fn node_property(&self, id: NodeId, key: &str) -> Result<Option<Value>> {
        if let Some(v) = self.ctx.carried.get(id, key) {
            return Ok(Some(v));
        }
        let g = self.ctx.read();
        match &self.ctx.memo {
            Some(m) => m.node_property(id, key, || g.node_property(id, key)),
            None => g.node_property(id, key),
        }
    }
}

/// Position of `name` in `cols` (planner-guaranteed to exist).
pub(crate) fn slot(cols: &[String], name: &str) -> Result<usize> {
    cols.iter().position(|c| c == name).ok_or_else(|| {
        QueryError::syntax(
            "UndefinedVariable",
            format!("variable `{name}` is not defined"),
        )
        .into()
    })
}

/// Instantiates the operator tree for `plan`; `arg` is the row `Argument` leaves produce.
pub fn build<'p>(plan: &'p LogicalPlan, arg: &Row, profile: bool) -> Result<BoxOp<'p>> {
    let op = build_inner(plan, arg, profile)?;
    if profile {
        Ok(Box::new(Profiled {
            inner: op,
            key: plan as *const LogicalPlan as usize,
        }))
    } else {
        Ok(op)
    }
}

fn build_inner<'p>(plan: &'p LogicalPlan, arg: &Row, profile: bool) -> Result<BoxOp<'p>> {
    let b = |p: &'p LogicalPlan| build(p, arg, profile);
    Ok(match &plan.op {
        PlanOp::Argument => Box::new(apply::Once {
            row: Some(arg.clone()),
        }),
        PlanOp::AllNodesScan { input, .. }
        | PlanOp::LabelScan { input, .. }
        | PlanOp::DynamicLabelScan { input, .. }
        | PlanOp::NodeById { input, .. }
        | PlanOp::IndexSeek { input, .. }
        | PlanOp::IndexRangeSeek { input, .. } => Box::new(scan::NodeScan::new(plan, b(input)?)),
        PlanOp::RelationshipById {
            input,
            spec,
            ids,
            list,
            element,
        } => Box::new(rel_seek::RelationshipById::new(
            spec,
            ids,
            *list,
            *element,
            &input.columns,
            b(input)?,
        )),
        PlanOp::RelationshipTypeScan { input, spec } => Box::new(rel_type_scan::RelTypeScan::new(
            spec,
            &input.columns,
            b(input)?,
            None,
        )),
        PlanOp::Expand { input, spec } => {
            if spec.hops.is_some() {
                Box::new(varlength::VarExpand::new(spec, &input.columns, b(input)?)?)
            } else {
                Box::new(expand::Expand::new(spec, &input.columns, b(input)?)?)
            }
        }
        PlanOp::Reach { input, spec } => {
            Box::new(reach::Reach::new(spec, &input.columns, b(input)?)?)
        }
        PlanOp::ShortestPath {
            input, spec, all, ..
        } => Box::new(shortest::ShortestPathOp::new(
            spec,
            *all,
            &input.columns,
            b(input)?,
        )?),
        PlanOp::PathSearch { input, spec } => {
            Box::new(search::PathSearch::new(spec, &input.columns, b(input)?)?)
        }
        PlanOp::Filter { input, predicate } => {
            let mut decided = None;
            Box::new(filter::Filter {
                input: match &input.op {
                    // Not under PROFILE: the scan's row count is the label's, as the plan says.
                    PlanOp::LabelScan {
                        input: scan_input,
                        var,
                        ..
                    } if !profile => match prefilter::Prefilter::of(predicate, var) {
                        Some(p) => {
                            let d = filter::Decided::default();
                            decided = Some(d.clone());
                            Box::new(scan::NodeScan::with_prefilter(input, b(scan_input)?, p, d))
                        }
                        None => b(input)?,
                    },
                    // Not under PROFILE either: the scan's rows are the type's.
                    PlanOp::RelationshipTypeScan {
                        input: scan_input,
                        spec,
                    } if !profile => Box::new(rel_type_scan::RelTypeScan::new(
                        spec,
                        &scan_input.columns,
                        b(scan_input)?,
                        prefilter::Prefilter::of(predicate, &spec.rel),
                    )),
                    PlanOp::Expand {
                        input: exp_input,
                        spec,
                    } if !profile => {
                        match rel_prefilter::RelPrefilter::of(predicate, spec, &exp_input.columns) {
                            Some(p) => Box::new(expand::Expand::with_prefilter(
                                spec,
                                &exp_input.columns,
                                b(exp_input)?,
                                p,
                            )?),
                            None => b(input)?,
                        }
                    }
                    _ => b(input)?,
                },
                predicate,
                cols: &input.columns,
                decided,
            })
        }
        PlanOp::Project { input, items, keep } => Box::new(project::Project {
            input: b(input)?,
            items,
            keep: *keep,
            cols: &input.columns,
        }),
        PlanOp::Lineage { input } => Box::new(lineage::Lineage { input: b(input)? }),
        PlanOp::Select { input, count } => Box::new(project::Select {
            input: b(input)?,
            count: *count,
        }),
        PlanOp::Aggregate { input, keys, aggs } => Box::new(aggregate::Aggregate::new(
            plan,
            b(input)?,
            keys,
            aggs,
            input,
            arg,
        )),
        PlanOp::DegreeCount {
            input,
            node,
            types,
            direction,
            ..
        } => Box::new(expand::DegreeCount {
            node: slot(&input.columns, node)?,
            types: types.iter().map(String::as_str).collect(),
            direction: *direction,
            input: b(input)?,
        }),
        PlanOp::DegreeGroup { input, .. } => Box::new(degree::DegreeGroup::new(
            plan,
            &input.columns,
            b(input)?,
            None,
        )?),
        PlanOp::CountNodes { input, label, .. } => Box::new(degree::CountNodes {
            input: b(input)?,
            label: label.as_deref(),
            width: plan.columns.len(),
        }),
        PlanOp::Distinct { input } => Box::new(project::Distinct {
            input: b(input)?,
            seen: Default::default(),
        }),
        PlanOp::Sort { input, keys } => {
            Box::new(sort::Sort::new(b(input)?, keys, None, &input.columns))
        }
        PlanOp::Top { input, keys, limit } => {
            let below = match (&input.op, sort_rows::column_slots(keys, &input.columns)) {
                (PlanOp::DegreeGroup { input: arg, .. }, Some(slots)) => {
                    let top = degree::TopHint { slots, limit };
                    Box::new(degree::DegreeGroup::new(
                        input,
                        &arg.columns,
                        b(arg)?,
                        Some(top),
                    )?)
                }
                _ => b(input)?,
            };
            Box::new(
                sort::Sort::new(below, keys, Some(limit), &input.columns)
                    .parallel(plan, input, arg),
            )
        }
        PlanOp::Skip { input, count } => Box::new(limit::Skip {
            input: b(input)?,
            count,
            remaining: None,
        }),
        PlanOp::Limit { input, count } => Box::new(limit::Limit {
            input: b(input)?,
            count,
            remaining: None,
            drain: input.writes(),
        }),
        PlanOp::Unwind { input, expr, .. } => Box::new(project::Unwind {
            input: b(input)?,
            expr,
            cols: &input.columns,
            fanout: Default::default(),
        }),
        PlanOp::Optional { input, inner } => Box::new(apply::Apply {
            input: b(input)?,
            inner,
            optional: true,
            width: plan.columns.len(),
            current: None,
            matched: false,
            profile,
        }),
        PlanOp::Apply { input, inner } => Box::new(apply::Apply {
            input: b(input)?,
            inner,
            optional: false,
            width: plan.columns.len(),
            current: None,
            matched: false,
            profile,
        }),
        PlanOp::Subquery {
            input,
            inner,
            imports,
            unit,
            transactions: Some(tx),
            ..
        } => Box::new(transactions::InTransactions {
            input: b(input)?,
            inner,
            imports,
            unit: *unit,
            tx,
            profile,
            batch: None,
            input_rows: None,
            out: Default::default(),
            done: false,
            broken: false,
            committed: 0,
            position: input.columns.iter().position(|c| c == load_csv::POSITION),
        }),
        PlanOp::Subquery {
            input,
            inner,
            imports,
            unit,
            optional,
            ..
        } => Box::new(apply::Subquery {
            input: b(input)?,
            inner,
            imports,
            unit: *unit,
            optional: *optional,
            matched: false,
            profile,
            eager: inner.writes(),
            buffered: None,
            current: None,
            position: input.columns.iter().position(|c| c == load_csv::POSITION),
        }),
        PlanOp::LoadCsv {
            input,
            source,
            headers,
            delimiter,
            ..
        } => Box::new(load_csv::LoadCsv {
            input: b(input)?,
            source,
            cols: &input.columns,
            headers: *headers,
            delimiter: *delimiter,
            position: input.columns.iter().position(|c| c == load_csv::POSITION),
            current: None,
        }),
        PlanOp::Union { left, right, all } => Box::new(apply::Union {
            left: b(left)?,
            right: b(right)?,
            on_right: false,
            seen: if *all { None } else { Some(Default::default()) },
        }),
        PlanOp::BuildPath { input, steps, .. } => {
            Box::new(path::BuildPath::new(b(input)?, steps, &input.columns)?)
        }
        PlanOp::Create { input, parts } => Box::new(create::Create {
            input: b(input)?,
            parts,
            in_cols: &input.columns,
            out_cols: &plan.columns,
            out: None,
        }),
        PlanOp::Merge {
            input,
            part,
            matcher,
            on_create,
            on_match,
        } => Box::new(merge::Merge {
            input: b(input)?,
            part,
            matcher,
            on_create,
            on_match,
            in_cols: &input.columns,
            out_cols: &plan.columns,
            out: None,
            profile,
        }),
        PlanOp::SetProps { input, items } => Box::new(set::SetOp {
            input: b(input)?,
            items: set::Items::Set(items),
            cols: &input.columns,
            out: None,
        }),
        PlanOp::Remove { input, items } => Box::new(set::SetOp {
            input: b(input)?,
            items: set::Items::Remove(items),
            cols: &input.columns,
            out: None,
        }),
        PlanOp::Delete {
            input,
            exprs,
            detach,
        } => Box::new(delete::Delete {
            input: b(input)?,
            exprs,
            detach: *detach,
            cols: &input.columns,
            out: None,
        }),
        PlanOp::Discard { input } => Box::new(limit::Discard { input: b(input)? }),
        PlanOp::Call {
            input,
            procedure,
            args,
            yields,
            optional,
        } => Box::new(call::CallOp {
            input: b(input)?,
            procedure,
            args: args.as_deref(),
            yields,
            optional: *optional,
            cols: &input.columns,
            current: None,
            rows: Vec::new().into_iter(),
        }),
    })
}

/// PROFILE wrapper: counts rows and time spent in (and below) one operator.
struct Profiled<'p> {
    inner: BoxOp<'p>,
    key: usize,
}

impl Operator for Profiled<'_> {
    fn next(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Option<Row>> {
        let t = Instant::now();
        let r = self.inner.next(ctx)?;
        let dt = t.elapsed();
        if let Some(p) = &ctx.profile {
            let mut p = p.borrow_mut();
            let e = p.entry(self.key).or_default();
            e.time += dt;
            if r.is_some() {
                e.rows += 1;
            }
        }
        Ok(r)
    }
}

/// Runs `plan` to completion, returning all rows.
pub fn run_all(plan: &LogicalPlan, ctx: &mut ExecCtx<'_>, arg: &Row) -> Result<Vec<Row>> {
    let mut op = build(plan, arg, ctx.profile.is_some())?;
    let mut rows = Vec::new();
    while let Some(r) = op.next(ctx)? {
        rows.push(r);
        ctx.tick()?;
    }
    Ok(rows)
}

/// Interprets a value as a node id (`None` for null).
pub(crate) fn node_id(v: &Value) -> Result<Option<u64>> {
    match v {
        Value::NodeRef(id) => Ok(Some(*id)),
        Value::Node(n) => Ok(Some(n.id)),
        Value::Null => Ok(None),
        other => Err(QueryError::type_error(
            "InvalidArgumentType",
            format!("expected a node, got {}", other.type_name()),
        )
        .into()),
    }
}

/// A runtime error with a detail code.
pub(crate) fn runtime(
    class: crate::error::ErrorClass,
    detail: &str,
    msg: impl Into<String>,
) -> Error {
    QueryError::new(class, detail, crate::error::Phase::Runtime, msg).into()
}
