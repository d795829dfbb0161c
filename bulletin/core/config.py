"""bulletin.toml -> Settings, validated with pydantic; errors are reported in Chinese by key."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator

from .addresses import EmailNotValidError, check_address
from .errors import ConfigError

CONFIG_NAME = "bulletin.toml"

NonEmpty = Annotated[str, Field(min_length=1)]


def _address(value: str) -> str:
    """Every address in bulletin.toml follows the recipients' rule (core/addresses.py): syntax only, intranet
    names such as office@mail.zg.local accepted (pydantic's EmailStr refused them: issue 23)."""
    try:
        return check_address(value)
    except EmailNotValidError:
        raise ValueError(f"不是有效的电子邮箱地址：{value}") from None


EmailStr = Annotated[str, AfterValidator(_address)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class BulletinSettings(_Section):
    title: NonEmpty
    office: NonEmpty
    phone: NonEmpty
    email: EmailStr
    first_issue: int = Field(ge=1)
    report_to: NonEmpty
    send_to: NonEmpty
    template: str | None = None
    # Subject of the monthly notice heading: "2026年10月份<notice_subject>工作通报".
    notice_subject: str | None = None
    # Also make a PDF of every approved bulletin (LibreOffice), next to the .docx; [mail] attach decides who gets it.
    pdf: bool = False
    # The office's short name on a shared Prefect server: run names "<short_name>-2026-10", tag office:<short_name>.
    short_name: str | None = None

    @field_validator("short_name")
    @classmethod
    def _plain_short_name(cls, short_name: str | None) -> str | None:
        if short_name is not None and (not short_name.strip() or any(c in short_name for c in '/\\:*?"<>|{}')):
            raise ValueError("简称不能为空，也不能含有 / \\ : * ? \" < > | { } 等字符")
        return short_name.strip() if short_name else None

    @property
    def office_short_name(self) -> str:
        """[bulletin] short_name, else the masthead's first part ("章贡区“五型”政府建设"), else its main word."""
        if self.short_name:
            return self.short_name
        head, main = self.masthead_parts
        return "".join((head or main).split())

    @property
    def masthead_parts(self) -> tuple[str, str]:
        """(upper line, main line): the masthead's last word is printed largest."""
        head, _, main = self.title.rpartition(" ")
        return head.strip(), main.strip()

    @property
    def short_title(self) -> str:
        """The masthead on one line, without the layout space (for subjects and file text)."""
        return "".join(self.title.split())

    @property
    def notice_heading_subject(self) -> str:
        if self.notice_subject:
            return self.notice_subject
        head, main = self.masthead_parts
        subject = head or main
        return subject.removesuffix("工作简报").removesuffix("简报") or subject


class SmtpSettings(_Section):
    host: NonEmpty
    port: int = Field(default=25, ge=1, le=65535)
    sender: EmailStr
    user: str | None = None
    ssl: bool = False
    starttls: bool = False
    timeout: float = Field(default=30, gt=0)
    # Recipients per SMTP transaction (one message, many RCPT TO).
    batch_size: int = Field(default=50, ge=1, le=500)
    # A login over an unencrypted connection (no ssl, no starttls) is refused unless this says so.
    allow_plaintext_login: bool = False

    @field_validator("starttls")
    @classmethod
    def _not_both(cls, starttls: bool, info):  # noqa: ANN001
        if starttls and info.data.get("ssl"):
            raise ValueError("ssl 与 starttls 只能二选一")
        return starttls


class Reviewer(_Section):
    """One reviewer of a review step: the name they sign with (`--by`, the desk, the Prefect form) and the
    address their review mail goes to. A bare address in bulletin.toml is a reviewer without a name."""

    name: str = ""
    email: EmailStr


def _reviewer(value):  # noqa: ANN001, ANN202 - "a@b" is {email = "a@b"}
    return {"email": value} if isinstance(value, str) else value


class ReviewStep(_Section):
    """[[review.step]]: one step of the review chain (初审, 签发...) and who may decide at it."""

    name: NonEmpty
    reviewers: list[Annotated[Reviewer, BeforeValidator(_reviewer)]] = Field(min_length=1)

    @property
    def named(self) -> bool:
        """Decisions at this step are limited to its members when any of them has a name."""
        return any(r.name for r in self.reviewers)

    def member(self, who: str) -> Reviewer | None:
        """The reviewer `who` names (their name, or their address as a review link carries it)."""
        who = (who or "").strip()
        for reviewer in self.reviewers:
            if who and (who == reviewer.name or who.lower() == reviewer.email.lower()):
                return reviewer
        return None

    def admits(self, who: str) -> bool:
        return not self.named or self.member(who) is not None

    @property
    def names(self) -> str:
        return "、".join(r.name or r.email for r in self.reviewers)


ONE_STEP = "审核"  # the name of the one step of an office that lists `reviewers = [...]` (today's review)


class ReviewSettings(_Section):
    """[review]: who reviews, in which order (issue 26). Either the one-step form of old,
    `reviewers = ["a@b", ...]`, or a chain of steps, each with its reviewers (names and addresses):

        [review]
        steps = ["初审", "签发"]          # optional: the order (else the order of the [[review.step]] tables)
        [[review.step]]
        name = "初审"
        reviewers = [{name = "李科长", email = "li@zg.gov.cn"}]
        [[review.step]]
        name = "签发"
        reviewers = [{name = "王主任", email = "wang@zg.gov.cn"}]

    The last step signs the issue off (签发): send requires it (delivery/approval.py, delivery/chain.py)."""

    reviewers: list[EmailStr] = []
    steps: list[NonEmpty] = []
    step: list[ReviewStep] = []
    # How long the monthly flow waits for an approval before it gives up.
    timeout_days: float = Field(default=7, gt=0)

    @model_validator(mode="after")
    def _one_chain(self):
        names = [s.name for s in self.step]
        if len(set(names)) != len(names):
            raise ValueError(f"审核步骤名称重复：{'、'.join(names)}")
        if self.step and self.reviewers:
            raise ValueError("已用 [[review.step]] 按步骤配置审核人，请删去 [review] 下的 reviewers（或写进某一步）")
        if self.steps:
            if sorted(self.steps) != sorted(names):
                missing = [n for n in self.steps if n not in names]
                extra = [n for n in names if n not in self.steps]
                why = (f"缺少步骤 {'、'.join(missing)} 的 [[review.step]]（name 与审核人）" if missing
                       else f"steps 中没有列出步骤 {'、'.join(extra)}")
                raise ValueError(f"steps = {self.steps} 与 [[review.step]] 不一致：{why}")
            self.step = sorted(self.step, key=lambda s: self.steps.index(s.name))
        return self

    @property
    def chain(self) -> list[ReviewStep]:
        """The review chain in order; the old `reviewers` list (or none) is one step named 审核. The last step is
        the sign-off (签发)."""
        if self.step:
            return list(self.step)
        return [ReviewStep.model_construct(name=ONE_STEP, reviewers=[Reviewer(email=e) for e in self.reviewers])]

    def step_named(self, name: str) -> ReviewStep | None:
        return next((s for s in self.chain if s.name == name.strip()), None)

    def signer(self, who: str) -> str:
        """The name a decision is recorded under: a review link carries an address, and §22 of the 党政机关公文
        处理工作条例 has the signer record their name; the address stays when bulletin.toml names no one for it."""
        for step in self.chain:
            reviewer = step.member(who)
            if reviewer is not None and reviewer.name:
                return reviewer.name
        return (who or "").strip()


class MailSettings(_Section):
    # Most government mail systems refuse attachments over 20-50 MB: compile warns, send refuses.
    max_attachment_mb: float = Field(default=20, gt=0)
    # What the distribution lists get: the Word file, and/or the PDF edition ([bulletin] pdf).
    attach: list[Literal["docx", "pdf"]] = ["docx"]

    @field_validator("attach")
    @classmethod
    def _something(cls, attach: list[str]) -> list[str]:
        if not attach:
            raise ValueError('至少要发送一种文件：["docx"]、["pdf"] 或 ["docx", "pdf"]')
        return list(dict.fromkeys(attach))


class WebSettings(_Section):
    """[web]: the review desk (bulletin serve). base_url is what links in mails point at (the reverse proxy's
    HTTPS address in production)."""

    base_url: NonEmpty = "http://127.0.0.1:8600"
    host: NonEmpty = "127.0.0.1"
    port: int = Field(default=8600, ge=1, le=65535)

    @field_validator("base_url")
    @classmethod
    def _http(cls, base_url: str) -> str:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url 应以 http:// 或 https:// 开头，现在是“{base_url}”")
        return base_url.rstrip("/")


class ScheduleSettings(_Section):
    """[schedule]: when `bulletin deploy` schedules the monthly run (5-field cron, in the office's time zone)."""

    cron: NonEmpty = "0 9 5 * *"
    timezone: NonEmpty = "Asia/Shanghai"

    @field_validator("cron")
    @classmethod
    def _five_fields(cls, cron: str) -> str:
        if len(cron.split()) != 5:
            raise ValueError(f"cron 应为 5 项（分 时 日 月 星期），如 \"0 9 5 * *\" 表示每月 5 日 9:00，现在是 \"{cron}\"")
        return cron

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, timezone: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"不认识的时区“{timezone}”（北京时间写 \"Asia/Shanghai\"）") from None
        return timezone


class ScoringSettings(_Section):
    """[scoring] (bulletin stats): points per item submitted (报送), printed (采用), the lead article (头条),
    and per higher-level publication that took an item up (上级采用), by level."""

    submitted: float = Field(default=1, ge=0)
    adopted: float = Field(default=3, ge=0)
    lead: float = Field(default=1, ge=0)
    praise_min: int = Field(default=2, ge=1)  # suggest 通报表扬 from this many printed items in a month
    count_refused: bool = False  # files that could not be used count as 报送 (unit from their file name)
    levels: dict[NonEmpty, float] = {"市级": 5, "省级": 10, "国家级": 20}
    # [calendar] (issue 25): points per draft received after the deadline (迟报; usually negative), per
    # commissioned topic (约稿) sent and per one not sent by the deadline. 0: lateness and 约稿 are shown, not scored.
    late: float = 0
    commission_done: float = 0
    commission_missed: float = 0

    # Issue 26: a base score every unit earns per month of the statistics; 领导批示 points and feedback
    # deductions; quotas per unit class (units.csv 类别). README "得分规则" has a worked example of each.
    base_monthly: float = 0
    instructions: "InstructionScoring" = Field(default_factory=lambda: InstructionScoring())
    quota: dict[NonEmpty, "QuotaRule"] = {}

    @field_validator("levels")
    @classmethod
    def _with_default_levels(cls, levels: dict[str, float]) -> dict[str, float]:
        """[scoring.levels] names the levels it changes or adds; the others keep their default points."""
        return {"市级": 5, "省级": 10, "国家级": 20} | levels


INSTRUCTION_LEVELS = {"区级": 2, "市级": 5, "省级": 10}
INSTRUCTION_KINDS = {"批办": 1, "指导": 1, "参阅": 1}


class InstructionScoring(_Section):
    """[scoring.instructions] (issue 26): points for a 领导批示 on a unit's item (inputs/领导批示.xlsx).

    An instruction earns levels[级别] × kinds[类别] (kinds are multipliers), unless `points` names the pair
    ("市级批办" = 8): a table for offices whose 考核办法 lists each pair. `per_item = "highest"`: several
    instructions on one item count once, the highest (most 考核办法 say 不重复计分); "sum" adds them.
    `feedback_missing` / `feedback_late`: points (usually negative) per 落实单位 and instruction whose feedback is
    overdue (逾期未反馈) or came after the due date (逾期反馈). levels/kinds name what they change or add; the
    other defaults stay (a county writes "县级" = 2 beside them)."""

    levels: dict[NonEmpty, float] = INSTRUCTION_LEVELS
    kinds: dict[NonEmpty, float] = INSTRUCTION_KINDS
    points: dict[NonEmpty, float] = {}
    per_item: Literal["highest", "sum"] = "highest"
    feedback_missing: float = 0
    feedback_late: float = 0

    @field_validator("levels")
    @classmethod
    def _default_levels(cls, levels: dict[str, float]) -> dict[str, float]:
        return INSTRUCTION_LEVELS | levels

    @field_validator("kinds")
    @classmethod
    def _default_kinds(cls, kinds: dict[str, float]) -> dict[str, float]:
        return INSTRUCTION_KINDS | kinds

    @model_validator(mode="after")
    def _pairs_known(self):
        pairs = {f"{level}{kind}" for level in self.levels for kind in self.kinds}
        for key in self.points:
            if key not in pairs:
                raise ValueError(f"[scoring.instructions.points] 的“{key}”应为 级别+类别，如 "
                                 f"\"{next(iter(self.levels))}{next(iter(self.kinds))}\"（级别见 levels，类别见 kinds）")
        return self

    def value(self, level: str, kind: str) -> float:
        pair = f"{level}{kind}"
        return self.points[pair] if pair in self.points else self.levels[level] * self.kinds[kind]


class QuotaRule(_Section):
    """[scoring.quota."类别"] (issue 26): what a unit of that class (units.csv 类别) must send: `per_month` items
    in each month of the statistics, and/or `per_year` items in the year (counted once the year is over);
    `counts` = "submitted" (报送) or "adopted" (采用, approved months only); `missing` points (usually negative)
    per item short."""

    per_month: int = Field(default=0, ge=0)
    per_year: int = Field(default=0, ge=0)
    counts: Literal["submitted", "adopted"] = "submitted"
    missing: float = 0


class CalendarSettings(_Section):
    """[calendar] (issue 25): the month's 约稿/催报 calendar in the office's time zone ([schedule] timezone).
    Drafts of a month are due on its `deadline` day at `deadline_time`; the call (约稿通知, inputs/<month>/约稿.txt)
    goes out on `call_day`; `bulletin remind` reminds silent units `remind_days_before` days before the deadline
    (0: on the day), at `remind_time` when deployed (daily Prefect run). A day past the month's end means its
    last day (deadline = 31 is the 30th in November)."""

    deadline: int = Field(default=25, ge=1, le=31)
    deadline_time: NonEmpty = "18:00"
    call_day: int = Field(default=1, ge=1, le=31)
    remind_days_before: list[int] = [3, 1, 0]
    remind_time: NonEmpty = "09:00"
    # 领导批示 (issue 26): the 落实单位 is reminded this many days before the feedback due date (0: on the day)
    instruction_remind_days_before: list[int] = [3, 0]

    @field_validator("deadline_time", "remind_time")
    @classmethod
    def _clock(cls, value: str) -> str:
        match = re.fullmatch(r"(\d{1,2})[:：](\d{2})", value.strip())
        if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
            raise ValueError(f"时间应写成 时:分（24 小时制），如 \"18:00\"，现在是 \"{value}\"")
        return f"{int(match.group(1)):02d}:{match.group(2)}"

    @field_validator("remind_days_before", "instruction_remind_days_before")
    @classmethod
    def _days(cls, days: list[int]) -> list[int]:
        for day in days:
            if not 0 <= day <= 27:
                raise ValueError(f"提前天数应在 0 到 27 之间（0 表示截止当天），现在有 {day}")
        return sorted(set(days), reverse=True)

    @model_validator(mode="after")
    def _call_before_deadline(self):
        if self.call_day > self.deadline:
            raise ValueError(f"约稿日 call_day（{self.call_day} 日）应在截止日 deadline（{self.deadline} 日）之前")
        return self

    @property
    def deadline_clock(self) -> tuple[int, int]:
        hour, minute = self.deadline_time.split(":")
        return int(hour), int(minute)

    @property
    def remind_clock(self) -> tuple[int, int]:
        hour, minute = self.remind_time.split(":")
        return int(hour), int(minute)


class IntakeSettings(_Section):
    """[intake] (issue 27): how a compile reads the month's drafts. `near_duplicate`: a draft whose text reaches
    this Jaccard similarity (character 3-grams; bulletin/archive/similar.py) with another unit's draft of the
    month or with any archived article is marked 疑似重复 in the intake report (never dropped); 0 turns it off."""

    near_duplicate: float = Field(default=0.8, ge=0, le=1)


class LayoutSettings(_Section):
    """How the issue is laid out (issue 14): the office's own layout, not one fixed form. The text settings are
    office data: `column_heading` is filled by plain replacement of "{name}", never by Jinja or str.format."""

    name: Literal["工作简报", "政务信息"] = "工作简报"  # which shipped template, when [bulletin] template is not set
    toc: Literal["numbered", "bullets", "none"] = "numbered"
    column_heading: str = "◆{name}◆"
    byline: Literal["none", "trailer"] = "none"
    unit_in_toc: bool = True
    special: str = ""
    columns: list[NonEmpty] = []
    # 签发人 on the issue-number line (GB/T 9704 style, issue 26) for offices that print it: the first named
    # reviewer of the review chain's last step (签发), known when the issue is composed; see README 签发.
    signer: bool = False

    @field_validator("special")
    @classmethod
    def _no_brackets(cls, special: str) -> str:
        return special.strip("（）() ")

    @field_validator("columns")
    @classmethod
    def _plain_names(cls, columns: list[str]) -> list[str]:
        for name in columns:
            if any(c in name for c in '/\\:*?"<>|') or name in (".", ".."):
                raise ValueError(f"栏目名“{name}”不能含有 / \\ : * ? \" < > | 等字符（栏目名就是子文件夹名）")
        return columns

    def heading_for(self, column: str) -> str:
        return self.column_heading.replace("{name}", column) if column else ""


class Settings(_Section):
    bulletin: BulletinSettings
    smtp: SmtpSettings | None = None
    review: ReviewSettings = ReviewSettings()
    mailbox: MailboxSettings | None = None  # the submission mailbox (bulletin fetch); model at the end
    mail: MailSettings = MailSettings()
    layout: LayoutSettings = LayoutSettings()
    intake: IntakeSettings = IntakeSettings()  # [intake]: the near-duplicate threshold (issue 27)
    series: dict[str, "SeriesSettings"] = {}  # other numbered series ([series.督查专报]); model at the end
    scoring: ScoringSettings = ScoringSettings()
    schedule: ScheduleSettings = ScheduleSettings()
    web: WebSettings | None = None  # the review desk; without it, review mails carry no link
    calendar: CalendarSettings | None = None  # 约稿/催报 (bulletin remind); without it, no deadline, no reminders


_KEY_NAMES = {
    "title": "简报名称（报头）",
    "office": "编印单位",
    "phone": "联系电话",
    "email": "电子邮箱",
    "first_issue": "起始期号",
    "report_to": "报送对象（报：）",
    "send_to": "发送对象（发：）",
    "deadline": "报送截止日",
    "deadline_time": "截止时间",
    "call_day": "约稿日",
    "remind_days_before": "提前几天催报",
    "remind_time": "催报时间",
    "instruction_remind_days_before": "批示反馈提前几天提醒",
}


def _explain(error: ValidationError, path: Path) -> str:
    lines = [f"配置文件 {path} 有误："]
    for item in error.errors():
        key = ".".join(str(p) for p in item["loc"])
        leaf = str(item["loc"][-1]) if item["loc"] else ""
        label = f"{key}（{_KEY_NAMES[leaf]}）" if leaf in _KEY_NAMES else key
        kind = item["type"]
        if kind == "missing":
            reason = "缺少此项"
        elif kind == "extra_forbidden":
            reason = "不认识的配置项（请检查拼写）"
        elif kind in ("int_parsing", "int_type", "int_from_float"):
            reason = "应为整数"
        elif kind in ("bool_parsing", "bool_type"):
            reason = "应为 true 或 false"
        elif kind in ("string_type",):
            reason = "应为文字（用英文双引号括起来）"
        elif kind == "string_too_short":
            reason = "不能为空"
        elif kind in ("greater_than_equal", "greater_than", "less_than_equal"):
            reason = f"数值超出范围（{item.get('ctx', {})}）".replace("'", "")
        elif kind == "value_error" and "email" in str(item.get("msg", "")).lower():
            reason = f"不是有效的电子邮箱地址：{item.get('input')!s}"
        elif kind == "value_error":
            reason = str(item.get("ctx", {}).get("error", item["msg"]))
        elif kind == "literal_error":
            reason = f"只能是 {item.get('ctx', {}).get('expected', '')}，现在是 {item.get('input')!r}".replace("'", "\"").replace(" or ", " 或 ")
        elif kind in ("model_type", "dict_type"):
            reason = "应为一个配置节（如 [bulletin]）"
        else:
            reason = item["msg"]
        lines.append(f"  - {label}：{reason}")
    return "\n".join(lines)


_TOML_LINE = re.compile(r"at line (\d+)")
_CHINESE_QUOTES = "“”‘’"


def _toml_problem(path: Path, exc: Exception) -> str:
    """tomllib's English message, said in Chinese with the line; Chinese quotation marks (typed in Chinese input
    mode, the commonest mistake) named as such."""
    found = _TOML_LINE.search(str(exc))
    line = int(found.group(1)) if found else 0
    text = path.read_text(encoding="utf-8-sig").splitlines()
    where = f"第{line}行" if line else ""
    if line and line <= len(text) and any(q in text[line - 1] for q in _CHINESE_QUOTES):
        return (f"配置文件 {path} {where}使用了中文引号（“ ” 或 ‘ ’）：TOML 只认英文引号，请改为 \"…\"，"
                f"例如 title = \"工作简报\"。该行：{text[line - 1].strip()[:80]}")
    return (f"配置文件 {path} {where}格式有误：请检查引号（须为英文引号 \"）、等号和方括号；"
            "中文键名要加引号，如 \"市级\" = 5。")


def load_settings(path: Path) -> Settings:
    """Read and validate bulletin.toml; raise ConfigError with a Chinese explanation."""
    if not path.is_file():
        raise ConfigError(f"找不到配置文件 {path}：请在工作目录中放置 {CONFIG_NAME}（可用 bulletin init 创建示例）。")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise ConfigError(f"配置文件 {path} 不是 UTF-8 编码：请用记事本“另存为 UTF-8”后重试。") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_toml_problem(path, exc)) from None
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_explain(exc, path)) from None


# ===== [mailbox]: the submission mailbox (投稿邮箱) read by `bulletin fetch` (owner: mailbox intake) =========
from pydantic import model_validator  # noqa: E402


class MailboxSettings(_Section):
    """IMAP access to the mailbox departments send drafts to. The password (or 授权码) only from
    $BULLETIN_IMAP_PASSWORD. Certificates are always verified; `cafile` names an internal CA's certificate."""

    host: NonEmpty
    port: int | None = Field(default=None, ge=1, le=65535)  # default: 993 with ssl, else 143
    user: NonEmpty
    ssl: bool = True
    starttls: bool = False
    cafile: str | None = None
    # A login over a connection without TLS sends the password in clear: only when written explicitly.
    allow_plaintext_login: bool = False
    folder: NonEmpty = "INBOX"
    receipts: bool = True  # reply to each submission through [smtp]
    move_to: str | None = None  # move imported messages there; by default the mailbox is not changed
    timeout: float = Field(default=60, gt=0)
    max_message_mb: float = Field(default=30, gt=0)  # larger messages are not downloaded (the sender is told)
    max_attachments: int = Field(default=20, ge=1)  # attachments (and .zip entries) taken from one message
    max_messages: int = Field(default=500, ge=1)  # messages read by one fetch; the rest wait for the next

    @model_validator(mode="before")
    @classmethod
    def _starttls_instead_of_ssl(cls, data):  # noqa: ANN001
        """`starttls = true` alone means port 143 with STARTTLS: ssl then defaults to false."""
        if isinstance(data, dict) and data.get("starttls") is True and "ssl" not in data:
            data = {**data, "ssl": False}
        return data

    @field_validator("starttls")
    @classmethod
    def _one_tls_mode(cls, starttls: bool, info):  # noqa: ANN001
        if starttls and info.data.get("ssl"):
            raise ValueError("ssl 与 starttls 只能二选一")
        return starttls

    @field_validator("move_to")
    @classmethod
    def _folder_name(cls, move_to: str | None):  # noqa: ANN001
        return move_to.strip() or None if move_to else None

    @property
    def effective_port(self) -> int:
        return self.port or (993 if self.ssl else 143)

    @property
    def encrypted(self) -> bool:
        return self.ssl or self.starttls


# ===== end of [mailbox] (rebuilt with [series] below) =====================================================================================


# ===== [series.<name>]: other numbered series, e.g. the 督查专报 (owner: supervision) =======================
class SeriesSettings(_Section):
    """A series published besides the monthly bulletin, numbered on its own (its own ledger file)."""

    title: NonEmpty  # masthead
    first_issue: int = Field(default=1, ge=1)
    report_to: NonEmpty  # 报：
    send_to: NonEmpty  # 发：
    # Which lists of recipients.csv (column list / 名单) get it; empty: every row.
    recipients: list[str] = []
    office: str | None = None  # default: [bulletin] office


def series_settings(settings: Settings, name: str) -> Settings:
    """The settings a series runs under: the office's own, with the [bulletin] section's masthead, numbering
    and 报/发 lines taken from [series.<name>]. Everything else in [bulletin] (and every other section, the
    review desk's [web] included: its links name their series) is inherited, so a setting added to the bulletin
    is a series' setting too without a change anywhere else. The bulletin's alone: its Word template and notice
    subject (a series is written by its own code)."""
    own = settings.series.get(name)
    if own is None:
        known = "、".join(settings.series) or "（无）"
        raise ConfigError(
            f"bulletin.toml 中没有 [series.{name}] 配置节（已配置：{known}）：请先添加 title、report_to、send_to。"
        )
    bulletin = settings.bulletin.model_copy(update={
        "title": own.title, "first_issue": own.first_issue, "report_to": own.report_to, "send_to": own.send_to,
        "office": own.office or settings.bulletin.office, "template": None, "notice_subject": None,
    })
    return settings.model_copy(update={"bulletin": bulletin})


Settings.model_rebuild()
# ===== end of [series] =======================================================================================
