//! How topgen scales with the number of specs: N deterministic synthetic TOP-shaped specs,
//! timed through each phase of the pipeline, plus peak memory and generated code size.
//!
//! ```text
//! cargo bench -p topgen --bench scale              # N = 100, 1000, 5000
//! cargo bench -p topgen --bench scale -- 100 1000  # chosen sizes
//! ```
//!
//! With `TOPGEN_BENCH_KEEP=1` the temporary `specs/` and `generated/` are kept for a look.
//!
//! One run per size (no statistics): the point is the order of magnitude, and that the
//! `topgen check` path (load + render + check) stays around a second at 5,000 specs.

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use topgen::load::{LoadError, load_dir};
use topgen::output::{self, Layout};

const DEFAULT_SIZES: &[usize] = &[100, 1000, 5000];

fn main() {
    let mut sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .map(|a| {
            a.parse()
                .unwrap_or_else(|_| panic!("expected spec counts, got `{a}`"))
        })
        .collect();
    if sizes.is_empty() {
        sizes = DEFAULT_SIZES.to_vec();
    }
    // VmHWM is the process's high-water mark, so only increasing sizes give per-size peaks.
    sizes.sort_unstable();
    sizes.dedup();

    println!(
        "topgen scale bench: {} thread(s) available",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!("peak RSS is the process high-water mark (VmHWM), sizes run in increasing order\n");
    let rows: Vec<Row> = sizes.iter().map(|&n| run(n)).collect();

    println!(
        "{:>6} | {:>9} | {:>10} | {:>10} | {:>10} | {:>10} | {:>10} | {:>11} | {:>9} | {:>6} | {:>8} | {:>9} | {:>7}",
        "specs",
        "specs MB",
        "load",
        "render",
        "write",
        "check",
        "full check",
        "stamp check",
        "peak RSS",
        "files",
        "gen MB",
        "gen lines",
        "lines/API"
    );
    println!("{}", "-".repeat(149));
    for r in &rows {
        println!(
            "{:>6} | {:>9.2} | {:>10} | {:>10} | {:>10} | {:>10} | {:>10} | {:>11} | {:>6} MB | {:>6} | {:>8.2} | {:>9} | {:>7.0}",
            r.n,
            mb(r.spec_bytes),
            ms(r.load),
            ms(r.render),
            ms(r.write),
            ms(r.check),
            ms(r.full_check),
            ms(r.stamp_check),
            r.peak_kb / 1024,
            r.files,
            mb(r.gen_bytes),
            r.gen_lines,
            r.gen_lines as f64 / r.n as f64
        );
    }
    println!(
        "\nload = load_dir (parse + validate + resolve); render = output::render (in memory);\n\
         write = output::write into an empty generated/; check = output::check against it;\n\
         full check = load_dir + render + check (`topgen check --full`, and `topgen check` after an edit);\n\
         stamp check = `topgen check` when in sync: stamps verified, nothing parsed or rendered (target: ~1 s at 5,000)."
    );
    println!(
        "\nrender split (sequential; per-API files timed on the first {SPLIT_SAMPLE} APIs and \
         scaled to all; crate-wide = lib.rs + tests/protocol/main.rs):"
    );
    for r in &rows {
        let scale = r.n as f64 / r.split.sampled as f64;
        let tokens = r.split.tokens.mul_f64(scale);
        let print = r.split.print.mul_f64(scale);
        let total = (tokens + print + r.split.crate_wide).as_secs_f64();
        let pct = |d: Duration| 100.0 * d.as_secs_f64() / total;
        println!(
            "{:>6} specs: build tokens {} ({:.0}%), syn parse + prettyplease + spacing {} ({:.0}%), \
             crate-wide files {} ({:.0}%)",
            r.n,
            ms(tokens),
            pct(tokens),
            ms(print),
            pct(print),
            ms(r.split.crate_wide),
            pct(r.split.crate_wide)
        );
    }
}

struct Row {
    n: usize,
    spec_bytes: usize,
    load: Duration,
    render: Duration,
    write: Duration,
    check: Duration,
    full_check: Duration,
    stamp_check: Duration,
    peak_kb: u64,
    files: usize,
    gen_bytes: usize,
    gen_lines: usize,
    split: Split,
}

fn run(n: usize) -> Row {
    let specs = synthetic_specs(n);
    assert!(
        specs == synthetic_specs(n),
        "synthetic specs for N = {n} are not deterministic"
    );
    let spec_bytes = specs.iter().map(|(_, text)| text.len()).sum();

    let root = tempfile::tempdir().expect("temp dir");
    let layout = Layout::under(root.path());
    std::fs::create_dir_all(&layout.specs).expect("create specs/");
    for (name, text) in &specs {
        std::fs::write(layout.specs.join(name), text).expect("write spec");
    }
    drop(specs);

    let (apis, load) = timed(|| load_checked(&layout.specs));
    assert_eq!(apis.len(), n);
    let (out, render) = timed(|| output::render(&apis).expect("render"));
    let (_, write) = timed(|| output::write(&layout, &out).expect("write"));
    let (drift, check) = timed(|| output::check(&layout, &out).expect("check"));
    assert!(
        drift.is_clean(),
        "check after write is not clean: {} changed, {} missing, {} extra",
        drift.changed.len(),
        drift.missing.len(),
        drift.extra.len()
    );
    let files = out.crate_files.len();
    let gen_bytes = out.crate_files.values().map(String::len).sum();
    let gen_lines = out.crate_files.values().map(|t| t.lines().count()).sum();
    drop(out);

    let split = render_split(&apis);
    drop(apis);

    let (drift, full_check) = timed(|| {
        let apis = load_checked(&layout.specs);
        let out = output::render(&apis).expect("render");
        output::check(&layout, &out).expect("check")
    });
    assert!(drift.is_clean(), "full check is not clean");
    let (in_sync, stamp_check) = timed(|| output::in_sync_by_stamps(&layout).expect("stamps"));
    assert!(in_sync, "the stamps of freshly written files do not verify");
    if std::env::var_os("TOPGEN_BENCH_KEEP").is_some() {
        println!("N = {n}: kept {}", root.keep().display());
    }

    Row {
        n,
        spec_bytes,
        load,
        render,
        write,
        check,
        full_check,
        stamp_check,
        peak_kb: peak_rss_kb(),
        files,
        gen_bytes,
        gen_lines,
        split,
    }
}

/// `load_dir`, failing with the first diagnostics if a synthetic spec is invalid.
fn load_checked(dir: &Path) -> Vec<topgen::ir::Api> {
    match load_dir(dir) {
        Ok(apis) => apis,
        Err(LoadError::Invalid(diags)) => {
            for d in diags.iter().take(5) {
                eprintln!("{}", d.render());
            }
            panic!("{} diagnostics in synthetic specs", diags.len());
        }
        Err(e) => panic!("{e}"),
    }
}

/// Where render's time goes, measured cheaply: per-API files on a sample of at most
/// `SPLIT_SAMPLE` APIs (building token streams vs printing them: syn parse + prettyplease +
/// item spacing), and the crate-wide `lib.rs` and `tests/protocol/main.rs` in full.
struct Split {
    sampled: usize,
    tokens: Duration,
    print: Duration,
    crate_wide: Duration,
}

const SPLIT_SAMPLE: usize = 500;

fn render_split(apis: &[topgen::ir::Api]) -> Split {
    use topgen::emit;
    let sample = &apis[..apis.len().min(SPLIT_SAMPLE)];
    let (mut tokens, mut print) = (Duration::ZERO, Duration::ZERO);
    let settings = topgen::settings::CrateSettings::default();
    let lib = settings.lib_name();
    let regenerate = settings.regenerate_command();
    for api in sample {
        let builds: [&dyn Fn() -> proc_macro2::TokenStream; 2] =
            [&|| emit::types::api_module(api, &api.spec_path), &|| {
                emit::protocol_tests::api_tests(api, &api.spec_path, &lib)
            }];
        for build in builds {
            let (ts, t) = timed(build);
            tokens += t;
            let (text, t) =
                timed(|| emit::render(ts, &api.spec_path, &regenerate).expect("parses"));
            print += t;
            std::hint::black_box(text);
        }
    }
    let (_, crate_wide) = timed(|| {
        for ts in [
            emit::lib_rs::lib_rs(apis, false, &settings),
            emit::protocol_tests::main_rs(apis, &lib),
        ] {
            std::hint::black_box(emit::render(ts, "specs/*.yaml", &regenerate).expect("parses"));
        }
    });
    Split {
        sampled: sample.len(),
        tokens,
        print,
        crate_wide,
    }
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let value = f();
    (value, start.elapsed())
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// VmHWM from /proc/self/status, in KiB (0 where there is no procfs).
fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

// ---------------------------------------------------------------------------------------
// Synthetic specs

/// A small seeded LCG (PCG constants): the same seed always gives the same specs.
struct Rng(u64);

impl Rng {
    /// Seeds are scrambled (splitmix64) so that neighbouring seeds start far apart.
    fn new(seed: u64) -> Self {
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng(z ^ (z >> 31))
    }

    fn step(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        (self.step() % n as u64) as usize
    }

    /// In `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.step() % (hi - lo + 1)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.step() % 100 < percent
    }

    /// `k` distinct indices below `n`, in increasing order.
    fn distinct(&mut self, k: usize, n: usize) -> Vec<usize> {
        let mut chosen: Vec<usize> = Vec::with_capacity(k);
        while chosen.len() < k.min(n) {
            let i = self.below(n);
            if !chosen.contains(&i) {
                chosen.push(i);
            }
        }
        chosen.sort_unstable();
        chosen
    }
}

const ROOTS: &[&str] = &["taobao", "tmall", "alibaba", "qimen", "cainiao"];
const WORDS: &[&str] = &[
    "item",
    "order",
    "trade",
    "refund",
    "logistics",
    "shop",
    "coupon",
    "member",
    "invoice",
    "stock",
    "car_lease",
    "risk",
];
const VERBS: &[&str] = &["get", "sync", "notify", "query", "update", "synchronize"];
const TITLES: &[&str] = &[
    "天猫汽车金融账单通知",
    "阿里汽车-天猫养车服务信息同步",
    "天猫开新车租后奇门接口切换方案和签署协议状态信息同步",
    "商品库存查询",
    "交易订单详情获取",
    "退款单状态变更通知",
    "物流轨迹信息同步",
    "会员积分变更",
];
const CATEGORIES: &[&str] = &[
    "天猫汽车",
    "天猫汽车金融",
    "交易API",
    "商品API",
    "物流API",
    "会员API",
];
const DESCRIPTIONS: &[&str] = &[
    "天猫开新车订单号",
    "风控同步请求",
    "同步的内容列表,一批次最大100条",
    "安装服务编码,多个逗号分隔",
    "购买人手机号",
    "淘系主订单ID",
    "车牌号",
    "服务核销时间",
    "最大长度:64,业务单据",
    "扩展信息 json格式",
    "是否成功",
    "结果码:10000表示成功",
    "城市id",
    "错误描述",
];
const TEXTS: &[&str] = &[
    "浙AA12345",
    "王五",
    "13012345678",
    "123,456,789",
    "{}",
    "异常",
    "XXXXX",
    "天猫养车",
    "ture",
    "002",
];
const TEXT_CODES: &[(&str, &str)] = &[
    ("ALI", "阿里客户"),
    ("TMALL_CAR", "天猫汽车"),
    ("GH_APP", "广汇渠道"),
    ("TAOBAO", "淘宝"),
    ("CAINIAO", "菜鸟"),
    ("OFFLINE", "线下门店"),
];
const NUMBER_CODES: &[(&str, &str)] = &[
    ("Return", "退车"),
    ("Buyout", "买断"),
    ("Installment", "分期"),
    ("Renewal", "续租"),
    ("NoInstallation", "无需安装"),
    ("InStore", "到店安装"),
];
const STRING_STEMS: &[&str] = &[
    "buyer_nick",
    "sellerNick",
    "biz_no",
    "reqNo",
    "customer_id",
    "extendInfo",
    "car_license_num",
    "buyer_phone",
    "msgDesc",
];
const NUMBER_STEMS: &[&str] = &[
    "order_id",
    "orderId",
    "tc_sub_order_id",
    "city_id",
    "districtId",
    "amount",
    "month",
];
const CODED_STEMS: &[&str] = &["status", "bizType", "channel", "install_type", "level"];
const STRUCT_STEMS: &[&str] = &[
    "RiskInfoSyncDTO",
    "BillStatusRequestTop",
    "LeaseType",
    "ItemInfo",
    "TradeDetailVo",
    "ShopSummary",
];

/// One field of a synthetic spec, before it is written out.
struct Field {
    name: String,
    rust_name: Option<String>,
    ty: String,
    required: bool,
    example: Option<String>,
    description: String,
    max_length: Option<u64>,
    max_items: Option<u64>,
    min_value: Option<i64>,
    max_value: Option<i64>,
    /// `(code, description, rust_name)`.
    values: Vec<(String, Option<String>, Option<String>)>,
    enum_name: Option<String>,
    /// The struct this field holds, by index, for the XML example.
    nested: Option<usize>,
}

impl Field {
    fn new(name: String, ty: &str, description: &str) -> Self {
        Field {
            name,
            rust_name: None,
            ty: ty.to_owned(),
            required: false,
            example: None,
            description: description.to_owned(),
            max_length: None,
            max_items: None,
            min_value: None,
            max_value: None,
            values: Vec::new(),
            enum_name: None,
            nested: None,
        }
    }
}

struct StructDef {
    name: String,
    rust_name: Option<String>,
    fields: Vec<Field>,
}

#[derive(Clone, Copy, PartialEq)]
enum Side {
    Request,
    Response,
}

/// Generates the specs for `n` APIs: `(file name, text)`, sorted by file name.
fn synthetic_specs(n: usize) -> Vec<(String, String)> {
    let mut specs: Vec<(String, String)> = (0..n).map(spec).collect();
    specs.sort();
    specs
}

/// Makes field names unique within a spec, so enum names derived from them are too.
struct Names(usize);

impl Names {
    fn next(&mut self, rng: &mut Rng, stems: &[&str]) -> String {
        self.0 += 1;
        format!("{}{}", rng.pick(stems), self.0)
    }
}

fn spec(i: usize) -> (String, String) {
    let mut rng = Rng::new(i as u64);
    let method = format!(
        "{}.bench.x{i}.{}.{}",
        rng.pick(ROOTS),
        rng.pick(WORDS),
        rng.pick(VERBS)
    );
    let client = if rng.chance(30) { "qimen" } else { "top" };
    let session = *rng.pick(&["none", "optional", "required"]);
    let mut names = Names(0);

    // 1–3 structs, each on one side; on a side they nest as a chain, the first one used
    // by a top-level parameter.
    let struct_count = rng.range(1, 3) as usize;
    let sides: Vec<Side> = (0..struct_count)
        .map(|_| {
            if rng.chance(50) {
                Side::Request
            } else {
                Side::Response
            }
        })
        .collect();
    let mut structs: Vec<StructDef> = Vec::new();
    for (j, &side) in sides.iter().enumerate() {
        let stem = rng.pick(STRUCT_STEMS);
        let name = format!("{stem}{}", j + 1);
        let rust_name = rng
            .chance(15)
            .then(|| format!("{}Type{}", stem.trim_end_matches("DTO"), j + 1));
        let mut fields: Vec<Field> = (0..rng.range(2, 6))
            .map(|_| scalar_field(&mut rng, &mut names, side))
            .collect();
        if let Some(next) = (j + 1..struct_count).find(|&k| sides[k] == side) {
            let at = rng.below(fields.len() + 1);
            fields.insert(at, struct_field(&mut rng, &mut names, side, next, "结构体"));
        }
        structs.push(StructDef {
            name,
            rust_name,
            fields,
        });
    }
    let struct_names: Vec<String> = structs.iter().map(|s| s.name.clone()).collect();
    let head = |side: Side| sides.iter().position(|&s| s == side);

    let mut params = |side: Side, lo: u64, hi: u64, rng: &mut Rng| -> Vec<Field> {
        let count = rng.range(lo, hi) as usize;
        let mut fields: Vec<Field> = Vec::with_capacity(count);
        let nested = head(side);
        let scalars = count - usize::from(nested.is_some());
        for _ in 0..scalars {
            fields.push(scalar_field(rng, &mut names, side));
        }
        if let Some(k) = nested {
            let at = rng.below(fields.len() + 1);
            fields.insert(at, struct_field(rng, &mut names, side, k, "请求/响应体"));
        }
        fields
    };
    let request = params(Side::Request, 3, 8, &mut rng);
    let response = params(Side::Response, 2, 5, &mut rng);
    // Struct-typed fields name the struct by its spec name.
    let fix = |f: &mut Field| {
        if let Some(k) = f.nested {
            f.ty = if f.ty.ends_with("[]") {
                format!("{}[]", struct_names[k])
            } else {
                struct_names[k].clone()
            };
        }
    };
    let mut request = request;
    let mut response = response;
    request.iter_mut().for_each(fix);
    response.iter_mut().for_each(fix);
    for s in &mut structs {
        s.fields.iter_mut().for_each(fix);
    }

    let mut y = String::with_capacity(4096);
    y.push_str("# yaml-language-server: $schema=spec.schema.json\n");
    let _ = writeln!(y, "method: {method}");
    let _ = writeln!(y, "title: {}", rng.pick(TITLES));
    let _ = writeln!(y, "description: {}", rng.pick(TITLES));
    let _ = writeln!(y, "category: {}", rng.pick(CATEGORIES));
    let _ = writeln!(y, "client: {client}");
    let _ = writeln!(y, "session: {session}");
    y.push_str("\nrequest:\n");
    for f in &request {
        write_field(&mut y, f, "  ");
    }
    y.push_str("\nresponse:\n");
    for f in &response {
        write_field(&mut y, f, "  ");
    }
    y.push_str("\nstructs:\n");
    for s in &structs {
        let _ = writeln!(y, "  - name: {}", s.name);
        if let Some(r) = &s.rust_name {
            let _ = writeln!(y, "    rust_name: {r}");
        }
        y.push_str("    fields:\n");
        for f in &s.fields {
            write_field(&mut y, f, "      ");
        }
    }

    // As on the pages: the root element drops a leading `taobao.`.
    let root = format!(
        "{}_response",
        method
            .strip_prefix("taobao.")
            .unwrap_or(&method)
            .replace('.', "_")
    );
    let mut xml = String::new();
    let _ = writeln!(xml, "<{root}>");
    for f in &response {
        xml_field(&mut xml, f, &structs, 1);
    }
    let _ = writeln!(xml, "</{root}>");
    y.push_str("\nexamples:\n  response:\n    xml: |\n");
    for line in xml.lines() {
        let _ = writeln!(y, "      {line}");
    }
    let sub_code = rng.pick(&["isv.invalid-parameter", "isp.top-remote-connection-timeout"]);
    let _ = write!(
        y,
        "  error:\n    xml: |\n      <error_response>\n          <code>50</code>\n          \
         <msg>Remote service error</msg>\n          <sub_code>{sub_code}</sub_code>\n          \
         <sub_msg>非法参数</sub_msg>\n      </error_response>\n"
    );
    (format!("{method}.yaml"), y)
}

fn struct_field(rng: &mut Rng, names: &mut Names, side: Side, k: usize, what: &str) -> Field {
    let list = rng.chance(40);
    let name = names.next(rng, &["contents", "result", "typeDTO", "detail", "items"]);
    // The type is filled in once the struct names are known.
    let mut f = Field::new(name, if list { "[]" } else { "" }, what);
    f.nested = Some(k);
    if list && rng.chance(60) {
        f.max_items = Some(rng.range(10, 200));
    }
    f.required = side == Side::Request && rng.chance(60);
    f
}

fn scalar_field(rng: &mut Rng, names: &mut Names, side: Side) -> Field {
    let description = rng.pick(DESCRIPTIONS);
    let kind = rng.below(10);
    let mut f = match kind {
        0..=2 => string_field(rng, names, description),
        3..=4 => number_field(rng, names, description),
        5 => {
            let mut f = Field::new(
                names.next(rng, &["succeeded", "retry", "is_valid"]),
                "Boolean",
                description,
            );
            f.example = Some(rng.pick(&["true", "false"]).to_string());
            f
        }
        6..=7 => {
            let mut f = Field::new(
                names.next(rng, &["event_time", "serviceUseTime", "gmt_create"]),
                "Date",
                description,
            );
            f.example = Some(format!(
                "{}-{:02}-{:02} {:02}:{:02}:{:02}",
                rng.range(2000, 2030),
                rng.range(1, 12),
                rng.range(1, 28),
                rng.range(0, 23),
                rng.range(0, 59),
                rng.range(0, 59)
            ));
            f
        }
        _ => {
            let numbers = rng.chance(30);
            let items = rng.range(1, 4) as usize;
            let example: Vec<String> = (0..items)
                .map(|_| {
                    if numbers {
                        rng.range(1, 99_999).to_string()
                    } else {
                        rng.pick(&["a", "b", "red", "蓝色", "XL"]).to_string()
                    }
                })
                .collect();
            let ty = if numbers { "Number[]" } else { "String[]" };
            let mut f = Field::new(
                names.next(rng, &["tags", "item_ids", "skuList"]),
                ty,
                description,
            );
            f.example = Some(example.join(","));
            if rng.chance(50) {
                f.max_items = Some(items as u64 + rng.range(0, 100));
            }
            f
        }
    };
    if rng.chance(15) {
        f.example = None;
    }
    if rng.chance(5) {
        f.rust_name = Some(format!("{}_alias", f.name.to_lowercase()));
    }
    f.required = side == Side::Request && rng.chance(50);
    f
}

fn string_field(rng: &mut Rng, names: &mut Names, description: &str) -> Field {
    if rng.chance(25) {
        let mut f = Field::new(names.next(rng, CODED_STEMS), "String", description);
        let count = rng.range(1, 4) as usize;
        let codes = rng.distinct(count, TEXT_CODES.len());
        f.values = codes
            .iter()
            .map(|&c| {
                let (code, desc) = TEXT_CODES[c];
                (
                    code.to_owned(),
                    rng.chance(80).then(|| desc.to_owned()),
                    None,
                )
            })
            .collect();
        let example = f.values[rng.below(codes.len())].0.clone();
        if rng.chance(50) {
            f.max_length = Some(32);
        }
        f.description = format!(
            "最大长度:32,{description}:{}",
            f.values
                .iter()
                .map(|(c, d, _)| match d {
                    Some(d) => format!("{c} {d}"),
                    None => c.clone(),
                })
                .collect::<Vec<_>>()
                .join(",")
        );
        if rng.chance(30) {
            f.enum_name = Some(format!("{}Code", heck_camel(&f.name)));
        }
        f.example = Some(example);
        return f;
    }
    let mut f = Field::new(names.next(rng, STRING_STEMS), "String", description);
    let example = rng.pick(TEXTS).to_string();
    if rng.chance(50) {
        let len = example.encode_utf16().count() as u64;
        f.max_length = Some(*rng.pick(&[32, 64, 1024]).max(&len));
    }
    f.example = Some(example);
    f
}

fn number_field(rng: &mut Rng, names: &mut Names, description: &str) -> Field {
    if rng.chance(25) {
        let mut f = Field::new(names.next(rng, CODED_STEMS), "Number", description);
        let count = rng.range(1, 4) as usize;
        let start = rng.below(NUMBER_CODES.len() - count + 1);
        f.values = NUMBER_CODES[start..start + count]
            .iter()
            .enumerate()
            .map(|(c, (rust, desc))| {
                (
                    c.to_string(),
                    Some(desc.to_string()),
                    Some(rust.to_string()),
                )
            })
            .collect();
        f.description = f
            .values
            .iter()
            .map(|(c, d, _)| format!("{c}.{}", d.as_deref().unwrap_or("")))
            .collect::<Vec<_>>()
            .join(",");
        f.example = Some(rng.below(count).to_string());
        return f;
    }
    let mut f = Field::new(names.next(rng, NUMBER_STEMS), "Number", description);
    let digits = rng.range(1, 19) as u32;
    let first = if digits == 19 {
        rng.range(1, 8)
    } else {
        rng.range(1, 9)
    };
    let mut value = first as i64;
    for _ in 1..digits {
        value = value * 10 + rng.range(0, 9) as i64;
    }
    f.example = Some(value.to_string());
    match rng.below(3) {
        0 => f.max_length = Some(u64::from(digits) + rng.range(0, 3)),
        1 => {
            f.min_value = Some(0);
            if digits < 18 {
                f.max_value = Some(value.saturating_mul(10));
            }
        }
        _ => {}
    }
    f
}

/// `install_type3` → `InstallType3`, enough for the synthetic names.
fn heck_camel(name: &str) -> String {
    name.split('_')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// A YAML scalar: plain where that is safe, double-quoted otherwise.
fn scalar(text: &str) -> String {
    let risky = text.is_empty()
        || text.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@` ".contains(c))
        || text.ends_with(' ')
        || text.contains(": ")
        || text.contains(" #")
        || text.parse::<f64>().is_ok()
        || matches!(text, "true" | "false" | "null" | "~");
    if risky {
        format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        text.to_owned()
    }
}

fn write_field(y: &mut String, f: &Field, indent: &str) {
    let _ = writeln!(y, "{indent}- name: {}", f.name);
    let pad = format!("{indent}  ");
    if let Some(r) = &f.rust_name {
        let _ = writeln!(y, "{pad}rust_name: {r}");
    }
    let _ = writeln!(y, "{pad}type: {}", f.ty);
    if f.required {
        let _ = writeln!(y, "{pad}required: true");
    }
    if let Some(e) = &f.example {
        // Examples are quoted, as on most real pages: `"002"` must stay text.
        let _ = writeln!(
            y,
            "{pad}example: \"{}\"",
            e.replace('\\', "\\\\").replace('"', "\\\"")
        );
    }
    for (key, value) in [
        ("max_length", f.max_length.map(|v| v.to_string())),
        ("max_items", f.max_items.map(|v| v.to_string())),
        ("min_value", f.min_value.map(|v| v.to_string())),
        ("max_value", f.max_value.map(|v| v.to_string())),
    ] {
        if let Some(v) = value {
            let _ = writeln!(y, "{pad}{key}: {v}");
        }
    }
    let _ = writeln!(y, "{pad}description: {}", scalar(&f.description));
    if let Some(e) = &f.enum_name {
        let _ = writeln!(y, "{pad}enum_name: {e}");
    }
    if !f.values.is_empty() {
        let _ = writeln!(y, "{pad}values:");
        for (code, desc, rust) in &f.values {
            let _ = writeln!(y, "{pad}  - code: \"{code}\"");
            if let Some(r) = rust {
                let _ = writeln!(y, "{pad}    rust_name: {r}");
            }
            if let Some(d) = desc {
                let _ = writeln!(y, "{pad}    description: {}", scalar(d));
            }
        }
    }
}

fn xml_field(xml: &mut String, f: &Field, structs: &[StructDef], depth: usize) {
    let pad = "    ".repeat(depth);
    let name = &f.name;
    if let Some(k) = f.nested {
        let list = f.ty.ends_with("[]");
        let _ = writeln!(
            xml,
            "{pad}<{name}{}>",
            if list { " list=\"true\"" } else { "" }
        );
        let inner = if list { depth + 1 } else { depth };
        if list {
            let _ = writeln!(xml, "{pad}    <{}>", structs[k].name.to_lowercase());
        }
        for nested in &structs[k].fields {
            xml_field(xml, nested, structs, inner + 1);
        }
        if list {
            let _ = writeln!(xml, "{pad}    </{}>", structs[k].name.to_lowercase());
        }
        let _ = writeln!(xml, "{pad}</{name}>");
        return;
    }
    let Some(example) = &f.example else {
        return;
    };
    let escaped = example
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    if f.ty.ends_with("[]") {
        let item = if f.ty.starts_with("Number") {
            "number"
        } else {
            "string"
        };
        let _ = writeln!(xml, "{pad}<{name} list=\"true\">");
        for part in escaped.split(',') {
            let _ = writeln!(xml, "{pad}    <{item}>{part}</{item}>");
        }
        let _ = writeln!(xml, "{pad}</{name}>");
    } else {
        let _ = writeln!(xml, "{pad}<{name}>{escaped}</{name}>");
    }
}
