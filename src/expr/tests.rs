//! Evaluator tests over hand-built ASTs and a small in-memory graph.

use std::collections::BTreeMap;

use crate::ast::{
    BinaryOp as B, Expr, ExprKind as K, MapProjectionItem, Quantifier, Span, UnaryOp, Variable,
};
use crate::error::{ErrorClass, Result};
use crate::functions::FunctionContext;
use crate::model::{Direction, Node, NodeId, RelId, Relationship};
use crate::store::{Edge, GraphRead, GraphStats, IndexDef};
use crate::value::{Date, Value};

use super::{eval, EvalContext, Scope};

/// Just enough of a graph for property, label and type reads.
#[derive(Default)]
pub(crate) struct MockGraph {
    pub nodes: Vec<Node>,
    pub rels: Vec<Relationship>,
}

impl GraphRead for MockGraph {
    fn node(&self, id: NodeId) -> Result<Option<Node>> {
        Ok(self.nodes.iter().find(|n| n.id == id).cloned())
    }
    fn relationship(&self, id: RelId) -> Result<Option<Relationship>> {
        Ok(self.rels.iter().find(|r| r.id == id).cloned())
    }
    fn node_ids(&self) -> Result<Box<dyn Iterator<Item = Result<NodeId>> + '_>> {
        Ok(Box::new(self.nodes.iter().map(|n| Ok(n.id))))
    }
    fn nodes_with_label(&self, _: &str) -> Result<Box<dyn Iterator<Item = Result<NodeId>> + '_>> {
        Ok(Box::new(std::iter::empty()))
    }
    fn relationship_ids(&self) -> Result<Box<dyn Iterator<Item = Result<RelId>> + '_>> {
        Ok(Box::new(self.rels.iter().map(|r| Ok(r.id))))
    }
    fn edges(&self, _: NodeId, _: Direction, _: &[&str]) -> Result<Vec<Edge>> {
        Ok(Vec::new())
    }
    fn index_lookup(&self, _: &str, _: &str, _: &Value) -> Result<Option<Vec<NodeId>>> {
        Ok(None)
    }
    fn indexes(&self) -> Result<Vec<IndexDef>> {
        Ok(Vec::new())
    }
    fn labels(&self) -> Result<Vec<String>> {
        Ok(Vec::new())
    }
    fn relationship_types(&self) -> Result<Vec<String>> {
        Ok(Vec::new())
    }
    fn property_keys(&self) -> Result<Vec<String>> {
        Ok(Vec::new())
    }
    fn node_count(&self) -> Result<u64> {
        Ok(self.nodes.len() as u64)
    }
    fn relationship_count(&self) -> Result<u64> {
        Ok(self.rels.len() as u64)
    }
    fn stats(&self) -> Result<GraphStats> {
        Ok(GraphStats::default())
    }
}

pub(crate) struct Ctx {
    pub graph: MockGraph,
    pub params: BTreeMap<String, Value>,
}

impl EvalContext for Ctx {
    fn parameter(&self, name: &str) -> Option<&Value> {
        self.params.get(name)
    }
    fn subquery(&self, _expr: &Expr, _scope: &dyn Scope) -> Result<Value> {
        Ok(Value::Bool(true))
    }
}

impl FunctionContext for Ctx {
    fn graph(&self) -> &dyn GraphRead {
        &self.graph
    }
    fn deleted_relationship(&self, id: RelId) -> Option<Relationship> {
        (id == 98).then(|| Relationship {
            id,
            rel_type: "GONE".into(),
            start: 1,
            end: 2,
            properties: BTreeMap::new(),
        })
    }
}

pub(crate) fn ctx() -> Ctx {
    let props = |pairs: &[(&str, Value)]| {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect::<BTreeMap<_, _>>()
    };
    Ctx {
        graph: MockGraph {
            nodes: vec![
                Node {
                    id: 1,
                    labels: vec!["Person".into(), "Founder".into()],
                    properties: props(&[("name", Value::from("Ada")), ("age", Value::Int(36))]),
                },
                Node {
                    id: 2,
                    labels: vec!["Company".into()],
                    properties: props(&[("name", Value::from("Zhipu"))]),
                },
            ],
            rels: vec![Relationship {
                id: 7,
                rel_type: "FOUNDED".into(),
                start: 1,
                end: 2,
                properties: props(&[("year", Value::Int(2019))]),
            }],
        },
        params: props(&[("p", Value::Int(5))]),
    }
}

// ---- AST builders ----

fn e(kind: K) -> Expr {
    Expr {
        kind,
        span: Span::default(),
    }
}
fn null() -> Expr {
    e(K::Null)
}
fn int(i: i64) -> Expr {
    e(K::Int(i))
}
fn flt(f: f64) -> Expr {
    e(K::Float(f))
}
fn boolean(b: bool) -> Expr {
    e(K::Bool(b))
}
fn st(s: &str) -> Expr {
    e(K::String(s.into()))
}
fn var(n: &str) -> Expr {
    e(K::Variable(n.into()))
}
fn v(n: &str) -> Variable {
    Variable {
        name: n.into(),
        span: Span::default(),
    }
}
fn list(items: Vec<Expr>) -> Expr {
    e(K::List(items))
}
fn bin(op: B, a: Expr, b: Expr) -> Expr {
    e(K::Binary(op, Box::new(a), Box::new(b)))
}
fn not(a: Expr) -> Expr {
    e(K::Unary(UnaryOp::Not, Box::new(a)))
}
fn neg(a: Expr) -> Expr {
    e(K::Unary(UnaryOp::Neg, Box::new(a)))
}
fn call(name: &str, args: Vec<Expr>) -> Expr {
    e(K::Function {
        name: name.into(),
        distinct: false,
        args,
    })
}
fn prop(a: Expr, k: &str) -> Expr {
    e(K::Property(Box::new(a), k.into()))
}
fn index(a: Expr, i: Expr) -> Expr {
    e(K::Index(Box::new(a), Box::new(i)))
}
fn quant(kind: Quantifier, items: Expr, pred: Expr) -> Expr {
    e(K::Quantifier {
        kind,
        variable: v("x"),
        list: Box::new(items),
        predicate: Some(Box::new(pred)),
    })
}

pub(crate) fn row() -> Vec<(String, Value)> {
    vec![
        ("n".into(), Value::NodeRef(1)),
        ("c".into(), Value::NodeRef(2)),
        ("r".into(), Value::RelRef(7)),
        ("gone".into(), Value::NodeRef(99)),
        ("goneRel".into(), Value::RelRef(98)),
        (
            "m".into(),
            Value::Map([("k".to_string(), Value::Int(1))].into()),
        ),
        (
            "l".into(),
            Value::List(vec![Value::Int(1), Value::Int(2), Value::Int(3)]),
        ),
        ("nothing".into(), Value::Null),
    ]
}

fn run(expr: &Expr) -> Result<Value> {
    eval(expr, &row(), &ctx())
}

fn ok(expr: Expr) -> Value {
    match run(&expr) {
        Ok(v) => v,
        Err(err) => panic!("{expr:?} failed: {err}"),
    }
}

fn err_detail(expr: Expr) -> (ErrorClass, String) {
    match run(&expr) {
        Ok(v) => panic!("{expr:?} gave {v:?}, expected an error"),
        Err(err) => {
            let q = err.as_query().expect("a query error");
            (q.class, q.detail.clone())
        }
    }
}

fn tv(b: Option<bool>) -> Expr {
    b.map_or_else(null, boolean)
}

#[test]
fn three_valued_logic_tables() {
    let vals = [Some(true), Some(false), None];
    for a in vals {
        for b in vals {
            let and = match (a, b) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            };
            let or = match (a, b) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            };
            let xor = match (a, b) {
                (Some(x), Some(y)) => Some(x != y),
                _ => None,
            };
            let want = |r: Option<bool>| r.map_or(Value::Null, Value::Bool);
            assert_eq!(ok(bin(B::And, tv(a), tv(b))), want(and), "{a:?} AND {b:?}");
            assert_eq!(ok(bin(B::Or, tv(a), tv(b))), want(or), "{a:?} OR {b:?}");
            assert_eq!(ok(bin(B::Xor, tv(a), tv(b))), want(xor), "{a:?} XOR {b:?}");
        }
        assert_eq!(ok(not(tv(a))), a.map_or(Value::Null, |x| Value::Bool(!x)));
    }
    assert_eq!(
        err_detail(bin(B::And, boolean(true), int(1))).0,
        ErrorClass::TypeError
    );
}

#[test]
fn comparison_and_null_operators() {
    assert_eq!(ok(bin(B::Eq, int(1), flt(1.0))), Value::Bool(true));
    assert_eq!(ok(bin(B::Ne, null(), null())), Value::Null);
    assert_eq!(ok(bin(B::Lt, int(1), st("a"))), Value::Null);
    assert_eq!(ok(bin(B::Le, st("a"), st("b"))), Value::Bool(true));
    let nan = bin(B::Div, flt(0.0), flt(0.0));
    assert_eq!(ok(bin(B::Gt, nan.clone(), int(1))), Value::Bool(false));
    assert_eq!(ok(bin(B::Ne, nan.clone(), nan)), Value::Bool(true));
    let is_null = |x: Expr, negated| {
        e(K::IsNull {
            expr: Box::new(x),
            negated,
        })
    };
    assert_eq!(ok(is_null(var("nothing"), false)), Value::Bool(true));
    assert_eq!(ok(is_null(prop(var("n"), "name"), true)), Value::Bool(true));
}

#[test]
fn in_operator_null_semantics() {
    let l = |items: Vec<Expr>| list(items);
    assert_eq!(
        ok(bin(B::In, int(2), l(vec![int(1), int(2)]))),
        Value::Bool(true)
    );
    assert_eq!(ok(bin(B::In, int(3), l(vec![int(1), null()]))), Value::Null);
    assert_eq!(
        ok(bin(B::In, int(1), l(vec![int(1), null()]))),
        Value::Bool(true)
    );
    assert_eq!(ok(bin(B::In, null(), l(vec![]))), Value::Bool(false));
    assert_eq!(ok(bin(B::In, null(), l(vec![int(1)]))), Value::Null);
    assert_eq!(ok(bin(B::In, int(1), null())), Value::Null);
    assert_eq!(
        ok(bin(B::In, l(vec![int(1)]), l(vec![l(vec![flt(1.0)])]))),
        Value::Bool(true)
    );
    assert_eq!(
        err_detail(bin(B::In, int(1), int(1))).0,
        ErrorClass::TypeError
    );
}

#[test]
fn arithmetic() {
    assert_eq!(ok(bin(B::Add, int(1), flt(0.5))), Value::Float(1.5));
    assert_eq!(ok(bin(B::Div, int(7), int(2))), Value::Int(3));
    assert_eq!(ok(bin(B::Mod, int(-7), int(2))), Value::Int(-1));
    assert_eq!(ok(bin(B::Pow, int(2), int(3))), Value::Float(8.0));
    assert_eq!(ok(bin(B::Add, st("a"), st("b"))), Value::from("ab"));
    assert_eq!(ok(bin(B::Add, st("a"), int(1))), Value::from("a1"));
    assert_eq!(
        ok(bin(B::Add, list(vec![int(1)]), int(2))),
        Value::List(vec![Value::Int(1), Value::Int(2)])
    );
    assert_eq!(
        ok(bin(B::Add, int(0), list(vec![int(1)]))),
        Value::List(vec![Value::Int(0), Value::Int(1)])
    );
    assert_eq!(ok(bin(B::Add, null(), int(1))), Value::Null);
    assert_eq!(
        ok(bin(B::Sub, e(K::Parameter("p".into())), int(1))),
        Value::Int(4)
    );
    let overflow = err_detail(bin(B::Add, int(i64::MAX), int(1)));
    assert_eq!(overflow.1, "IntegerOverflow");
    assert_eq!(
        err_detail(bin(B::Mul, int(i64::MAX), int(2))).1,
        "IntegerOverflow"
    );
    assert_eq!(err_detail(neg(int(i64::MIN))).1, "IntegerOverflow");
    assert_eq!(
        err_detail(bin(B::Div, int(i64::MIN), int(-1))).1,
        "IntegerOverflow"
    );
    assert_eq!(err_detail(bin(B::Div, int(1), int(0))).1, "DivisionByZero");
    assert_eq!(err_detail(bin(B::Mod, int(1), int(0))).1, "DivisionByZero");
    assert_eq!(
        ok(bin(B::Div, flt(1.0), int(0))),
        Value::Float(f64::INFINITY)
    );
    assert_eq!(
        err_detail(bin(B::Sub, st("a"), int(1))).0,
        ErrorClass::TypeError
    );
    assert_eq!(
        err_detail(e(K::Parameter("missing".into()))).0,
        ErrorClass::ParameterMissing
    );
}

#[test]
fn string_operators() {
    assert_eq!(
        ok(bin(B::StartsWith, st("abc"), st("ab"))),
        Value::Bool(true)
    );
    assert_eq!(ok(bin(B::EndsWith, st("abc"), st("bc"))), Value::Bool(true));
    assert_eq!(ok(bin(B::Contains, st("abc"), st("x"))), Value::Bool(false));
    assert_eq!(ok(bin(B::Contains, st("abc"), int(1))), Value::Null);
    assert_eq!(ok(bin(B::Regex, st("abc"), st("a.c"))), Value::Bool(true));
    // `=~` matches the whole string.
    assert_eq!(ok(bin(B::Regex, st("abcd"), st("a.c"))), Value::Bool(false));
    assert_eq!(ok(bin(B::Regex, null(), st("a"))), Value::Null);
    assert_eq!(
        err_detail(bin(B::Regex, st("a"), st("("))).0,
        ErrorClass::ArgumentError
    );
}

#[test]
fn property_and_index_access() {
    assert_eq!(ok(prop(var("n"), "name")), Value::from("Ada"));
    assert_eq!(ok(prop(var("n"), "missing")), Value::Null);
    assert_eq!(ok(prop(var("r"), "year")), Value::Int(2019));
    assert_eq!(ok(prop(var("m"), "k")), Value::Int(1));
    assert_eq!(ok(prop(var("nothing"), "k")), Value::Null);
    assert_eq!(ok(index(var("n"), st("age"))), Value::Int(36));
    assert_eq!(
        err_detail(prop(var("gone"), "name")),
        (
            ErrorClass::EntityNotFound,
            "DeletedEntityAccess".to_string()
        )
    );
    assert_eq!(err_detail(prop(int(1), "k")).0, ErrorClass::TypeError);
    assert_eq!(ok(index(var("l"), int(-1))), Value::Int(3));
    assert_eq!(ok(index(var("l"), int(3))), Value::Null);
    assert_eq!(ok(index(var("l"), int(-4))), Value::Null);
    assert_eq!(ok(index(var("l"), null())), Value::Null);
    assert_eq!(
        err_detail(index(var("l"), flt(1.0))).1,
        "InvalidArgumentType"
    );
    assert_eq!(
        err_detail(index(var("m"), int(0))).1,
        "MapElementAccessByNonString"
    );
    assert_eq!(err_detail(index(int(100), int(0))).1, "InvalidArgumentType");
    let slice = |from: Option<Expr>, to: Option<Expr>| {
        e(K::Slice(
            Box::new(var("l")),
            from.map(Box::new),
            to.map(Box::new),
        ))
    };
    let ints = |xs: &[i64]| Value::List(xs.iter().map(|&x| Value::Int(x)).collect());
    assert_eq!(ok(slice(Some(int(1)), None)), ints(&[2, 3]));
    assert_eq!(ok(slice(None, Some(int(-1)))), ints(&[1, 2]));
    assert_eq!(ok(slice(Some(int(-2)), Some(int(10)))), ints(&[2, 3]));
    assert_eq!(ok(slice(Some(int(2)), Some(int(1)))), ints(&[]));
    assert_eq!(ok(slice(Some(null()), Some(int(1)))), Value::Null);
    let date = call("date", vec![st("2026-11-21")]);
    assert_eq!(ok(prop(date.clone(), "dayOfWeek")), Value::Int(6));
    assert_eq!(ok(prop(date.clone(), "quarter")), Value::Int(4));
    assert_eq!(ok(prop(date.clone(), "week")), Value::Int(47));
    assert_eq!(ok(prop(date, "ordinalDay")), Value::Int(325));
}

#[test]
fn labels_case_and_projection() {
    let has = |x: Expr, labels: &[&str]| {
        e(K::HasLabels(
            Box::new(x),
            labels.iter().map(|s| s.to_string()).collect(),
        ))
    };
    assert_eq!(ok(has(var("n"), &["Person", "Founder"])), Value::Bool(true));
    assert_eq!(ok(has(var("n"), &["Company"])), Value::Bool(false));
    assert_eq!(ok(has(var("nothing"), &["A"])), Value::Null);
    assert_eq!(ok(has(var("r"), &["FOUNDED"])), Value::Bool(true));
    assert_eq!(ok(has(var("r"), &["founded"])), Value::Bool(false));
    let generic = e(K::Case {
        operand: None,
        whens: vec![
            (null(), st("null")),
            (bin(B::Gt, int(2), int(1)), st("yes")),
        ],
        else_: Some(Box::new(st("no"))),
    });
    assert_eq!(ok(generic), Value::from("yes"));
    let simple = e(K::Case {
        operand: Some(Box::new(flt(2.0))),
        whens: vec![(int(1), st("one")), (int(2), st("two"))],
        else_: None,
    });
    assert_eq!(ok(simple), Value::from("two"));
    let none_matches = e(K::Case {
        operand: Some(Box::new(null())),
        whens: vec![(null(), st("null"))],
        else_: None,
    });
    assert_eq!(ok(none_matches), Value::Null);
    let projection = e(K::MapProjection {
        variable: v("n"),
        items: vec![
            MapProjectionItem::Property("name".into()),
            MapProjectionItem::Literal("double".into(), bin(B::Mul, prop(var("n"), "age"), int(2))),
            MapProjectionItem::Variable(v("m")),
        ],
    });
    let Value::Map(m) = ok(projection) else {
        panic!("a map")
    };
    assert_eq!(m.get("name"), Some(&Value::from("Ada")));
    assert_eq!(m.get("double"), Some(&Value::Int(72)));
    assert!(matches!(m.get("m"), Some(Value::Map(_))));
    let all = e(K::MapProjection {
        variable: v("n"),
        items: vec![MapProjectionItem::AllProperties],
    });
    let Value::Map(m) = ok(all) else {
        panic!("a map")
    };
    assert_eq!(m.len(), 2);
}

#[test]
fn comprehensions_and_reduce() {
    let comp = e(K::ListComprehension {
        variable: v("x"),
        list: Box::new(var("l")),
        predicate: Some(Box::new(bin(B::Gt, var("x"), int(1)))),
        projection: Some(Box::new(bin(B::Mul, var("x"), int(10)))),
    });
    assert_eq!(ok(comp), Value::List(vec![Value::Int(20), Value::Int(30)]));
    let reduce = e(K::Reduce {
        accumulator: v("acc"),
        init: Box::new(int(0)),
        variable: v("x"),
        list: Box::new(var("l")),
        expr: Box::new(bin(B::Add, var("acc"), var("x"))),
    });
    assert_eq!(ok(reduce), Value::Int(6));
    let over_null = e(K::ListComprehension {
        variable: v("x"),
        list: Box::new(null()),
        predicate: None,
        projection: None,
    });
    assert_eq!(ok(over_null), Value::Null);
}

#[test]
fn quantifiers_with_nulls() {
    use Quantifier as Q;
    let ints = |xs: &[Option<i64>]| list(xs.iter().map(|x| x.map_or_else(null, int)).collect());
    let eq2 = || bin(B::Eq, var("x"), int(2));
    let lt10 = || bin(B::Lt, var("x"), int(10));
    type Case = (
        Quantifier,
        &'static [Option<i64>],
        fn() -> Expr,
        Option<bool>,
    );
    let cases: &[Case] = &[
        (Q::Single, &[], || boolean(true), Some(false)),
        (Q::Single, &[None], eq2, None),
        (Q::Single, &[Some(2), None], eq2, None),
        (
            Q::Single,
            &[Some(34), Some(0), None, Some(5), Some(900)],
            lt10,
            Some(false),
        ),
        (
            Q::Single,
            &[Some(34), Some(10), None, Some(15), Some(900)],
            lt10,
            None,
        ),
        (Q::Single, &[Some(2), Some(3), Some(2)], eq2, Some(false)),
        (Q::Single, &[Some(1), Some(2), Some(3)], eq2, Some(true)),
        (Q::All, &[], || boolean(false), Some(true)),
        (Q::All, &[Some(2), None], eq2, None),
        (Q::All, &[Some(1), None], eq2, Some(false)),
        (Q::Any, &[], || boolean(true), Some(false)),
        (Q::Any, &[Some(2), None], eq2, Some(true)),
        (Q::Any, &[Some(1), None], eq2, None),
        (Q::None, &[], || boolean(true), Some(true)),
        (Q::None, &[Some(2), None], eq2, Some(false)),
        (Q::None, &[Some(1), None], eq2, None),
        (Q::None, &[Some(1), Some(3)], eq2, Some(true)),
    ];
    for (kind, items, pred, want) in cases {
        let got = ok(quant(*kind, ints(items), pred()));
        assert_eq!(
            got,
            want.map_or(Value::Null, Value::Bool),
            "{kind:?} over {items:?}"
        );
    }
    assert_eq!(ok(quant(Q::All, null(), boolean(true))), Value::Null);
    assert_eq!(
        err_detail(quant(Q::Any, list(vec![st("a")]), var("x"))).0,
        ErrorClass::TypeError
    );
}

#[test]
fn graph_functions() {
    assert_eq!(ok(call("id", vec![var("n")])), Value::Int(1));
    assert_eq!(
        ok(call("labels", vec![var("n")])),
        Value::List(vec![Value::from("Person"), Value::from("Founder")])
    );
    assert_eq!(ok(call("TYPE", vec![var("r")])), Value::from("FOUNDED"));
    assert_eq!(ok(call("startNode", vec![var("r")])), Value::NodeRef(1));
    assert_eq!(ok(call("endNode", vec![var("r")])), Value::NodeRef(2));
    assert_eq!(
        ok(call("keys", vec![var("n")])),
        Value::List(vec![Value::from("age"), Value::from("name")])
    );
    assert_eq!(ok(call("labels", vec![null()])), Value::Null);
    assert_eq!(
        err_detail(call("labels", vec![int(1)])),
        (ErrorClass::TypeError, "InvalidArgumentValue".to_string())
    );
    assert_eq!(
        err_detail(call("labels", vec![var("gone")])).1,
        "DeletedEntityAccess"
    );
    assert_eq!(
        ok(call("exists", vec![prop(var("n"), "name")])),
        Value::Bool(true)
    );
    assert_eq!(
        ok(call("exists", vec![prop(var("n"), "zzz")])),
        Value::Bool(false)
    );
    assert_eq!(
        ok(call(
            "coalesce",
            vec![null(), prop(var("n"), "age"), int(1)]
        )),
        Value::Int(36)
    );
    assert_eq!(err_detail(call("nope", vec![])).1, "UnknownFunction");
    assert_eq!(
        err_detail(call("count", vec![int(1)])).1,
        "InvalidAggregation"
    );
}

#[test]
fn list_and_conversion_functions() {
    let ints = |xs: &[i64]| Value::List(xs.iter().map(|&x| Value::Int(x)).collect());
    assert_eq!(
        ok(call("range", vec![int(0), int(10), int(3)])),
        ints(&[0, 3, 6, 9])
    );
    assert_eq!(
        ok(call("range", vec![int(5), int(1), int(-2)])),
        ints(&[5, 3, 1])
    );
    assert_eq!(ok(call("range", vec![int(1), int(0)])), ints(&[]));
    assert_eq!(
        err_detail(call("range", vec![int(2), int(8), int(0)])),
        (ErrorClass::ArgumentError, "NumberOutOfRange".to_string())
    );
    assert_eq!(
        err_detail(call("range", vec![flt(0.0), int(1)])),
        (ErrorClass::ArgumentError, "InvalidArgumentType".to_string())
    );
    assert_eq!(ok(call("head", vec![var("l")])), Value::Int(1));
    assert_eq!(ok(call("last", vec![var("l")])), Value::Int(3));
    assert_eq!(ok(call("tail", vec![var("l")])), ints(&[2, 3]));
    assert_eq!(ok(call("head", vec![list(vec![])])), Value::Null);
    assert_eq!(ok(call("reverse", vec![var("l")])), ints(&[3, 2, 1]));
    assert_eq!(ok(call("size", vec![st("héllo")])), Value::Int(5));
    assert_eq!(ok(call("toInteger", vec![st("42")])), Value::Int(42));
    assert_eq!(ok(call("toFloat", vec![int(3)])), Value::Float(3.0));
    assert_eq!(ok(call("toString", vec![flt(2.5)])), Value::from("2.5"));
    assert_eq!(ok(call("toBoolean", vec![st("false")])), Value::Bool(false));
    assert_eq!(
        err_detail(call("toBoolean", vec![flt(1.0)])).1,
        "InvalidArgumentValue"
    );
    assert_eq!(ok(call("toBooleanOrNull", vec![flt(1.0)])), Value::Null);
    assert_eq!(
        err_detail(call("toString", vec![var("n")])).1,
        "InvalidArgumentValue"
    );
}

#[test]
fn math_and_string_functions() {
    assert_eq!(ok(call("abs", vec![int(-3)])), Value::Int(3));
    assert_eq!(ok(call("sqrt", vec![flt(12.96)])), Value::Float(3.6));
    assert_eq!(ok(call("sign", vec![flt(-0.5)])), Value::Int(-1));
    assert_eq!(ok(call("ceil", vec![flt(1.2)])), Value::Float(2.0));
    assert_eq!(
        ok(call("round", vec![flt(2.675), int(2)])),
        Value::Float(2.68)
    );
    assert_eq!(
        ok(call("round", vec![flt(2.5), int(0), st("HALF_EVEN")])),
        Value::Float(2.0)
    );
    assert_eq!(ok(call("log10", vec![int(1000)])), Value::Float(3.0));
    assert_eq!(ok(call("pi", vec![])), Value::Float(std::f64::consts::PI));
    let Value::Float(r) = ok(call("rand", vec![])) else {
        panic!("rand is a float")
    };
    assert!((0.0..1.0).contains(&r));
    assert_eq!(ok(call("toUpper", vec![st("abc")])), Value::from("ABC"));
    assert_eq!(ok(call("trim", vec![st("  a b ")])), Value::from("a b"));
    assert_eq!(
        ok(call("replace", vec![st("hello"), st("l"), st("L")])),
        Value::from("heLLo")
    );
    assert_eq!(
        ok(call("replace", vec![st("hello"), null(), st("L")])),
        Value::Null
    );
    assert_eq!(
        ok(call("substring", vec![st("0123456789"), int(1), int(3)])),
        Value::from("123")
    );
    assert_eq!(
        ok(call("left", vec![st("hello"), int(2)])),
        Value::from("he")
    );
    assert_eq!(ok(call("sqrt", vec![null()])), Value::Null);
    assert_eq!(
        err_detail(call("sqrt", vec![st("x")])).0,
        ErrorClass::TypeError
    );
    assert_eq!(
        err_detail(call("date", vec![st("2026-02-30")])).0,
        ErrorClass::ArgumentError
    );
    assert_eq!(
        ok(call(
            "date",
            vec![e(K::Map(vec![
                ("year".into(), int(2026)),
                ("month".into(), int(6)),
                ("day".into(), int(30))
            ]))]
        )),
        Value::Date(Date::new(2026, 6, 30).expect("valid"))
    );
    assert!(matches!(ok(call("datetime", vec![])), Value::DateTime(_)));
    assert_eq!(
        err_detail(call("datetime", vec![st("2026-02-30T12:00")])).0,
        ErrorClass::ArgumentError
    );
    // The clock functions are never folded into constants.
    assert!(!super::is_constant(&call("datetime", vec![]), true));
    assert!(!super::is_constant(&call("date.realtime", vec![]), true));
    assert!(super::is_constant(
        &call("date", vec![st("2026-01-01")]),
        true
    ));
}

#[test]
fn constant_expressions() {
    use super::{eval_constant, is_constant};
    let params: BTreeMap<String, Value> = [("n".to_string(), Value::Int(3))].into();
    let sum = bin(B::Add, int(1), e(K::Parameter("n".into())));
    assert!(is_constant(&sum, true));
    assert!(!is_constant(&sum, false));
    assert_eq!(
        eval_constant(&sum, &params).and_then(Result::ok),
        Some(Value::Int(4))
    );
    assert!(eval_constant(&var("x"), &params).is_none());
    assert!(eval_constant(&call("rand", vec![]), &params).is_none());
    assert!(eval_constant(&call("count", vec![int(1)]), &params).is_none());
    let bad = bin(B::And, boolean(true), int(1));
    assert!(matches!(eval_constant(&bad, &params), Some(Err(_))));
}
