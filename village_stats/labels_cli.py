"""Wording of the command line in Chinese (issue 23): help texts, messages, village.yaml comments.

Part of the one catalogue of wording (:mod:`village_stats.labels` merges it): the command line speaks
Chinese by default and English with ``--lang en`` or ``VILLAGE_STATS_LANG=en``. The English help texts are
written where the options are declared (click); :data:`HELP_ZH` gives each its Chinese, keyed by the
English text (a test checks that every help text of every command has one), and each command's
description by ``cmd:<name>``.
"""

from __future__ import annotations

#: Chinese help of every option (keyed by its English help) and command (``cmd:<name>``).
HELP_ZH: dict[str, str] = {
    # the main group and click's own options
    "cmd:main": "驻村帮扶工作队的数据报告工具。",
    "Show the version and exit.": "显示版本并退出。",
    "Show this message and exit.": "显示本帮助并退出。",
    "On failure, print the traceback too.": "出错时同时打印调用栈（供开发者排查）。",
    "Data folder (default: ./data, else the project's data/).": "数据目录（默认：当前目录下的 data，否则项目的 data/）。",
    "Language of labels.": "语言：zh 中文，en 英文。",
    # run, run-all
    "cmd:run": ("生成报告：执行后的笔记本、HTML、A4 PDF、indicators.csv、manifest.json。\n\n"
                "--period latest 取有数据的最新一期；--period previous 取今天之前最近一个完整的同类时期（用于定时任务）。"
                "中文文件为 report.pdf、report.html 等；英文文件为 report.en.pdf、report.en.html 等，在同一目录；"
                "未重写的文件保留。"),
    "Which report: period (one village-period); others as listed by the error for an unknown one.":
        "报告类型：period（一个村一期）；其他类型见输入未知类型时的提示。",
    "Village id (period and trends reports).": "村庄编号（期报告和趋势报告）。",
    "Period code, or 'latest' / 'previous'.": "时期代码，或 latest（最新一期）/ previous（上一完整时期）。",
    "First period of a trends report (code, latest, previous).": "趋势报告的起始时期（代码、latest 或 previous）。",
    "Last period of a trends report (code, latest, previous).": "趋势报告的结束时期（代码、latest 或 previous）。",
    "Only this township (county report).": "只含该乡镇（县报告）。",
    "Where output/<village>/<period>/ is written.": "输出目录（写入其下的 <村>/<时期>/）。",
    "Comma-separated subset of ipynb,html,pdf,csv,xlsx (default: all of them).":
        "输出格式，逗号分隔，可选 ipynb、html、pdf、csv、xlsx（默认全部）。",
    "Report notebook (default: the report's own, e.g. notebooks/period_report.ipynb).":
        "报告笔记本（默认：该报告自带的，如 notebooks/period_report.ipynb）。",
    "cmd:site": ("生成 output/site/（英文版为 output/site.en/）：各村的静态网页，直接从文件夹打开。\n\n"
                 "index.html 列出每个村本期的主要指标和报告链接；villages/<编号>.html 显示每个村的各期指标、图表、"
                 "报告和疑点。不需要服务器，不访问外部网络，整体替换（原子发布）。输入有误（没有村有该期数据）时退出码为 2。"),
    "Where the reports are (output/<village>/<period>/) and site/ is written.":
        "报告所在的文件夹（output/<村>/<时期>/），site/ 也写在这里。",
    "For publishing: head counts below N, and the figures that would reveal them, are not shown.":
        "用于公开发布：小于 N 的户数、人数，以及能推算出它们的数字，都不显示。",
    "For publishing: hide what the county roll-up at this threshold hides for the village, and whatever would let "
    "it be worked out.": "用于公开发布：隐去县汇总在该阈值下对本村隐去的数字，以及能推算出它们的数字。",
    "At the end, build output/site/ (village-stats site) over every village of the data folder.":
        "最后为数据目录下的所有村生成 output/site/（同 village-stats site）。",
    "cmd:run-all": ("为多个村生成期报告（县里的定时任务），在 Dask 集群上运行。\n\n"
                    "每个村期一个任务：在本机的工作进程上（--jobs），或在已运行的 Dask 调度器上（--scheduler）。"
                    "在终端显示进度条，否则每个村完成后输出一行（便于定时任务日志）；最后打印汇总表，并写出 "
                    "output/batch-<时期>.json（每村：状态、用时、输出、错误信息）。有 village.yaml 的文件夹才是村，"
                    "其他文件夹列出后忽略；缺本期数据的村记为缺本期。最后生成 output/site/（--no-site 跳过）。"
                    "Ctrl-C 或 SIGTERM 会在几秒内停止，未完成的不发布，并说明完成了多少。"
                    "有村输入错误时退出码为 2，否则有村失败或网站未能生成时为 1，否则为 0；被 SIGINT / SIGTERM 停止时为 130 / 143。"),
    "Do nothing if the published report still matches its inputs, versions and options (period and county reports).":
        "已发布的报告与输入、版本和选项仍一致时不重新生成（期报告和县报告）。",
    "Run even if nothing changed (overrides --changed-only).": "即使没有变化也重新生成（优先于 --changed-only）。",
    "Local worker processes, each running many reports (default: the number of cores).":
        "本机工作进程数，每个进程依次生成多份报告（默认：CPU 核数）。",
    "Run on this running Dask scheduler instead of local workers (default: $VILLAGE_STATS_SCHEDULER). Its workers "
    "must see the data and output folders at the same paths.":
        "在这个已运行的 Dask 调度器上运行，而不用本机工作进程（默认：环境变量 VILLAGE_STATS_SCHEDULER）。"
        "它的工作进程必须能在相同路径看到数据目录和输出目录。",
    "How many times a village's worker may die (crash, abort, memory) before that village is reported failed; "
    "local workers only (a running scheduler has its own allowed-failures). Default: 2.":
        "一个村的工作进程崩溃（程序崩溃、中止、内存不足）多少次后判定该村失败；只用于本机工作进程"
        "（已运行的调度器用它自己的 allowed-failures 设置）。默认：2。",
    "Skip a village-period whose published report still matches its inputs, versions and options.":
        "跳过已发布报告与输入、版本和选项仍一致的村期。",
    "Rerun everything (overrides --changed-only).": "全部重新生成（优先于 --changed-only）。",
    "A village id (repeat it); default: every village.": "村庄编号（可重复）；默认：所有村。",
    "Period code, or 'latest' / 'previous' (resolved per village).": "时期代码，或 latest / previous（逐村确定）。",
    "Worker processes, each running many reports (default: the number of cores).":
        "工作进程数，每个进程运行多个报告（默认：处理器核数）。",
    "Progress bar (default: on a terminal; otherwise one line per finished village).":
        "进度条（默认：在终端显示；否则每完成一个村输出一行）。",
    # indicators, validate, periods, codebook
    "cmd:indicators": "打印一个村一期的指标表（或写入文件：--output 文件）。",
    "Village id (its folder name under the data folder).": "村庄编号（数据目录下该村的文件夹名）。",
    "Period code (e.g. 2017H1), or 'latest' / 'previous'.": "时期代码（如 2017H1），或 latest / previous。",
    "Write to this file instead of standard output (needed for xlsx; CSV files get a UTF-8 BOM).":
        "写入该文件而非屏幕（xlsx 必须指定；CSV 文件带 UTF-8 BOM）。",
    "cmd:validate": ("按数据规范检查数据文件（默认检查所有村和时期）。\n\n"
                     "错误（退出码 2）使该期数据不能使用；登记册核查发现按户编号列出，不改变退出码。"),
    "Only this village.": "只检查该村。",
    "Only this period.": "只检查该期。",
    "cmd:periods": "列出有数据的时期。",
    "cmd:codebook": ("打印数据字典（data/README.md 中自动生成的部分），或写入文件。\n\n"
                     "加 --indicators：打印 indicators.csv 的字典（docs/indicators.md 中自动生成的部分）。"),
    "Replace the block between <!-- codebook:start --> and <!-- codebook:end --> in this file.":
        "替换该文件中 <!-- codebook:start --> 与 <!-- codebook:end --> 之间的内容。",
    "The output codebook (indicators.csv, for docs/indicators.md) instead of the data codebook.":
        "输出指标字典（indicators.csv，用于 docs/indicators.md），而非数据字典。",
    # trend, diff
    "cmd:trend": "打印长表：每期各项指标及与上期相比的变化（上期不是紧邻的前一期时注明比较的时期）。",
    "First period (code, 'latest' or 'previous'); default: the first with data.":
        "起始时期（代码、latest 或 previous）；默认：有数据的第一期。",
    "Last period (code, 'latest' or 'previous'); default: the last with data.":
        "结束时期（代码、latest 或 previous）；默认：有数据的最后一期。",
    "xlsx needs --output FILE.": "xlsx 格式须同时指定 --output 文件。",
    "The workbook to write (with --format xlsx).": "要写入的工作簿（与 --format xlsx 同用）。",
    "cmd:diff": "打印两期之间贫困人口的存量与流量；加 --households 则逐户列出变化。",
    "Earlier period (code, 'latest' or 'previous').": "较早的时期（代码、latest 或 previous）。",
    "Later period (code, 'latest' or 'previous').": "较晚的时期（代码、latest 或 previous）。",
    "The household-level diff (by household id) instead of the stock-flow.": "逐户变化（按户编号），而非存量与流量。",
    # rollup
    "cmd:rollup": ("多村指标汇总：按村、乡镇或全县，并核对合计。\n\n"
                   "户数、人数和金额相加，比率用相加后的分子分母重新计算，登记册指标用合并后的登记册计算。"
                   "每组给出所含村数和缺本期数据的村。合计对不上时退出码为 1，数据有误时为 2。"),
    "Period code (e.g. 2018H2), or 'latest' (newest period of any village).":
        "时期代码（如 2018H2），或 latest（任一村的最新一期）。",
    "Group villages by village, township or county.": "汇总层级：village 村、township 乡镇、county 县。",
    "Only the villages of this township (its township_zh).": "只含该乡镇的村（按 township_zh）。",
    "For publishing: head counts below N, and the cells that would reveal them, print as 'suppressed'.":
        "用于公开发布：少于 N 的人数、户数及可推算出它们的单元格显示为“已隐去”。",
    # new-period, new-village
    "cmd:new-period": ("生成新一期的填报文件（不会覆盖已有数据：退出码 2）。\n\n"
                       "数据规范中的每张表都有中文表头、下拉列表、数据验证和“填表说明”工作表；可沿用的内容从来源期带入，"
                       "需要重新采集的数字留空，旁边附上期数值。"),
    "Village id (its folder must hold village.yaml).": "村庄编号（该村文件夹须有 village.yaml）。",
    "The new period's code, e.g. 2017H2.": "新时期的代码，如 2017H2。",
    "Carry over from: 'previous' (the latest period with data before the new one), 'none' (a blank template) "
    "or a period code.": "沿用来源：previous（新时期之前有数据的最近一期）、none（空白模板）或某个时期代码。",
    "One workbook <period>.xlsx, or a folder <period>/ of CSV files.": "一个工作簿 <时期>.xlsx，或一个含 CSV 文件的文件夹 <时期>/。",
    "cmd:new-village": ("按数据字典生成 data/<编号>/village.yaml（不会覆盖已有文件：退出码 2）。\n\n"
                        "未给出的键在文件中留空，每个键上方有注释说明其含义。只给中文名时，编号可由拼音生成。"),
    # --- check (issue 20) ---
    "cmd:check": ("按 docs/checks.md 的规则进行疑点核查：每条发现一行（规则、严重程度、村、户编号、成员序号、相关数值、"
                  "核查要求），并按规则汇总。\n\n"
                  "跨村规则（同一身份证号出现在两户、户在村间迁移）比较数据目录中的所有村。没有“错误”时退出码为 0，"
                  "有“错误”时为 1，输入有误时为 2。不显示姓名和身份证号。"),
    "Only this village (default: every village with the period).": "只核查该村（默认：有该期数据的所有村）。",
    "Period code (e.g. 2022H2), or 'latest'.": "时期代码（如 2022H2），或 latest（最新一期）。",
    "Only findings of this severity (repeatable).": "只列该严重程度的发现：error 错误、doubt 疑点、hint 提示（可重复）。",
    "Only this rule id, e.g. MB-008 (repeatable).": "只列该规则编号的发现，如 MB-008（可重复）。",
    "Write to this file (needed for xlsx; csv and json print otherwise).":
        "写入该文件（xlsx 必须指定；csv 和 json 不指定时打印到屏幕）。",
    # --- county report for publishing (issue 18) ---
    "County report for publishing: what the roll-up at this threshold hides (head counts below N and the cells "
    "that would reveal them) prints as suppressed.":
        "县级报告用于公开发布：该阈值下县汇总隐去的数字（少于 N 的户数、人数及可推算出它们的数字）显示为“不公开”。",
}

#: click's metavars in Chinese (the help's left column), longest first.
METAVARS_ZH: tuple[tuple[str, str], ...] = (
    ("INTEGER RANGE", "整数"), ("INTEGER", "整数"), ("FLOAT", "数字"), ("DIRECTORY", "目录"), ("FILE", "文件"),
    ("TEXT", "文本"), ("PATH", "路径"), ("COMMAND", "命令"), ("OPTIONS", "选项"), ("ARGS", "参数"))

#: village.yaml's keys in Chinese (the file's comments and new-village's help): key → meaning.
VILLAGE_FIELDS_ZH: dict[str, str] = {
    "id": "村庄编号：即文件夹名，只用小写字母、数字、下划线和连字符；只给中文名时由拼音生成。",
    "name_zh": "村名（中文），如 梭罗峪村。",
    "name_en": "村名（英文），如 Suoluoyu。",
    "township_zh": "乡（镇）名。",
    "county_zh": "县名。",
    "city_zh": "市名。",
    "province_zh": "省名。",
    "region": "所在地区：eastern 东部、central 中部、western 西部（山西属中部）。",
    "supported_by_zh": "派驻工作队的帮扶单位。",
    "exit_threshold": "本村贫困发生率退出标准（比例）；默认按地区取 data/policy/exit_thresholds.csv。",
    "poverty_line_yuan": "省或市的贫困标准（元/人·年），优先于 data/policy/poverty_lines.csv；100 至 100,000 之间。",
    "province_code": "省级行政区划代码（GB/T 2260，2 位，如山西为 14）：用于选取 data/policy/ 中本省的行。",
    "county_code": "县级行政区划代码（GB/T 2260，6 位）：用于选取 data/policy/ 中本县的行；前两位为省代码。",
    "monitoring_threshold_yuan": "防返贫监测标准（元/人·年），优先于 data/policy/monitoring_thresholds.csv。",
    "fictional": "虚构的演示村填 true（YAML 布尔值：true 或 false）。",
    "note": "备注。",
    "township_en": "乡镇英文名，如 Zhaobi Township（不填则用乡镇中文名的拼音）。",
    "county_en": "县英文名，如 Xiyang County（不填则用拼音）。",
    "city_en": "市英文名，如 Jinzhong（不填则用拼音）。",
    "province_en": "省英文名，如 Shanxi（不填则用拼音）。",
    "supported_by_en": "帮扶单位英文名（不填则保留中文名）。",
}

#: Messages of the command line (merged into :data:`village_stats.labels.MESSAGES`): key → (zh, en).
CLI_MESSAGES: dict[str, tuple[str, str]] = {
    "cli_usage": ("用法：", "Usage:"),
    "cli_options": ("选项", "Options"),
    "cli_commands": ("命令", "Commands"),
    "cli_default": ("默认：", "default: "),
    "cli_required": ("必填", "required"),
    "cli_required_in_file": ("（文件中必填）", " (required in the file)"),
    "cli_wrote": ("已写入 {path}", "wrote {path}"),
    "cli_list_sep": ("、", ", "),
    "yaml_head": ("村庄基本信息（字段说明见 data/README.md 的数据字典）；由 village-stats new-village 生成。",
                  "Village metadata (see the codebook in data/README.md); written by village-stats new-village."),
    "yaml_optional": ("（可选）", " (optional)"),
    "cli_updated": ("已更新 {path}", "updated {path}"),
    "cli_wrote_period": ("已写入 {path}（{tables}；{carried}）", "wrote {path} ({tables}; {carried})"),
    "cli_carried_from": ("沿用 {period} 的数据", "carried over from {period}"),
    "cli_blank": ("空白模板（此前没有数据）", "blank (no earlier period)"),
    "cli_fill_then_validate": ("填好后运行：{command}", "fill it in, then run: {command}"),
    "cli_still_to_fill": ("尚待填写：{keys}", "still to fill in: {keys}"),
    "cli_output_goes_with_xlsx": ("--output 文件须与 --format xlsx 同用（xlsx 也必须指定 --output）",
                                  "--output FILE goes with --format xlsx (and is needed there)"),
    "cli_output_goes_with_xlsx_csv": ("--output 文件须与 --format xlsx（必须）或 csv 同用",
                                      "--output FILE goes with --format xlsx (needed) or csv"),
    "cli_no_markers": ("{path} 中没有数据字典的标记", "{path} has no codebook markers"),
    "cli_from_before_to": ("--from {before} 应早于 --to {after}", "--from {before} must come before --to {after}"),
    "cli_by_village": ("村", "village"),
    "cli_by_township": ("乡镇", "township"),
    "cli_by_county": ("县", "county"),
    "cli_since_period": ("较{period}", "since {period}"),
    # run-all's table and summary (the dask rewrite of run-all should keep these keys)
    "cli_batch_head": ("状态      村             时期        用时  输出目录或错误",
                       "status    village        period   seconds  output folder or error"),
    "cli_batch_ok": ("完成", "ok"),
    "cli_batch_bad_input": ("输入有误", "bad_input"),
    "cli_batch_failed": ("失败", "failed"),
    "cli_batch_skipped": ("未变跳过", "skipped"),
    "cli_batch_missing": ("缺本期", "missing"),
    "cli_batch_unfilled": ("未填写", "unfilled"),
    "cli_batch_summary": ("共 {villages} 个村：完成 {ok} 个，输入有误 {bad_input} 个，失败 {failed} 个，未变跳过 {skipped} 个，"
                          "缺本期 {missing} 个，未填写 {unfilled} 个，用时 {seconds} 秒（每分钟 {rate} 份报告）；详情见 {path}",
                          "{villages} villages: {ok} ok, {bad_input} bad input, {failed} failed, {skipped} skipped, "
                          "{missing} missing, {unfilled} unfilled in {seconds} s ({rate} reports per minute); "
                          "details in {path}"),
    # the household-level diff (diff --households): each change and its values in words
    "hh_entered": ("新列入登记册", "entered the register"),
    "hh_left": ("不再列入登记册", "left the register"),
    "hh_status": ("状态", "status"),
    "hh_category": ("贫困户属性", "category"),
    "hh_members": ("家庭人口", "members"),
    "hh_income_up": ("收入升至贫困标准以上（元）", "income rose above the line (yuan)"),
    "hh_income_down": ("收入降至贫困标准以下（元）", "income fell below the line (yuan)"),
    "hh_gained": ("{guarantee}：恢复保障", "{guarantee}: secured"),
    "hh_lost": ("{guarantee}：失去保障", "{guarantee}: lost"),
    "hh_true": ("有保障", "secure"),
    "hh_false": ("无保障", "not secure"),
    "hh_col_household": ("户编号", "household"),
    "hh_col_change": ("变化", "change"),
    "hh_col_before": ("上期", "before"),
    "hh_col_after": ("本期", "after"),
    # value checks of the population table (village_stats.parse)
    "msg_part_above_whole": ("{part_name}（{part}）= {part_value} 大于{whole_name}（{whole}）= {whole_value}："
                             "应不超过 {whole_value}",
                             "{part} = {part_value} is larger than {whole} = {whole_value}: expected at most "
                             "{whole_value}"),
    "msg_value_required": ("{name}（{measure}）必须填写：应为{expectation}",
                           "a value is required for '{measure}': expected {expectation}"),
    "msg_period_exists": ("时期 {period} 已有数据：请填一个尚无数据的时期（不会覆盖已有数据）",
                          "period {period} already exists: expected a period with no data yet (nothing is "
                          "overwritten)"),
}

#: The data-entry workbook's 填表说明 in Chinese: each table's grain, description and notes (table → (每行是,
#: 说明)), and each column's meaning ((table, column) → 含义). A column or table missing here keeps the
#: codebook's English (a test lists them).
TABLES_ZH: dict[str, tuple[str, str]] = {
    "population": ("每个指标一行", "本期全村的户数和人数，每行一个指标；农业户数、农业人口、贫困户数、贫困人口必须填写。"),
    "work_log": ("每种工作、每个时段一行", "工作队本期做了什么：入户对接、走访、会议、培训等。"),
    "crops": ("每类作物一行", "种植结构调整：本期各类作物计划新增面积和已完成面积。"),
    "projects": ("每个项目一行", "工作队实施或支持的项目，含类别、状态和投资。"),
    "project_outputs": ("每个项目的每项产出一行", "各项目的实物产出（建成、种植、能力等）。"),
    "households": ("每户一行", "建档立卡户名册：每个列入的户一行，可以列全村所有户，也可以只列建档立卡户。"
                   "户主姓名和证件号码只用于核对，读入后即删除，不会出现在任何输出中；监测相关的列适用于2021年起的名册，"
                   "风险类型有多项时用“|”分隔。"),
    "members": ("每人一行", "家庭成员（2026年起）：每户的每名成员一行；户编号须在名册中。姓名和证件号码只用于核对（出生日期、性别），"
                "读入后即删除，不会出现在任何输出中。"),
    "help_measures": ("每项措施一行", "帮扶措施（2026年起）：每户的每项帮扶措施一行，含开始、结束日期和金额；户编号须在名册中。"),
    "evaluation_sample": ("每个抽样户、每种样本一行", "退出评估（第三方评估）抽样核查的结果：错退率 = 错退户数 / 已脱贫样本户数；"
                          "漏评率 = 漏评户数 / 未建档立卡样本户数；认可度 = 认可户数 / 调查样本户数。"),
}
COLUMNS_ZH: dict[tuple[str, str], str] = {
    ("population", "measure"): "本行是哪个指标。", ("population", "value"): "户数或人数（按指标）。",
    ("work_log", "activity"): "工作类型。", ("work_log", "count"): "数量（户、户次或次，见“单位”列）。",
    ("work_log", "unit"): "数量的单位，如 户、户次、次。", ("work_log", "date_from"): "本行所记工作的开始日期。",
    ("work_log", "date_to"): "本行所记工作的结束日期。",
    ("crops", "crop_group"): "作物类别编号，可留空（按名称自动生成）。", ("crops", "name_zh"): "作物类别的中文名称。",
    ("crops", "name_en"): "英文名称（可选）。", ("crops", "target_new_area_mu"): "计划新增面积（亩）。",
    ("crops", "achieved_new_area_mu"): "到目前为止已完成的新增面积（亩）。",
    ("projects", "project_id"): "项目编号，可留空（按项目名称自动生成）；有项目产出时须填写并与产出表一致。",
    ("projects", "name_zh"): "项目的中文名称。", ("projects", "name_en"): "英文名称（可选）。",
    ("projects", "category"): "项目类别。", ("projects", "status"): "期末时的项目状态。",
    ("projects", "investment_yuan"): "总投资（估算，元）；留空表示未知。",
    ("project_outputs", "project_id"): "所属项目（须在项目表中）。", ("project_outputs", "output"): "建成或提供了什么。",
    ("project_outputs", "quantity"): "数量（按“单位”列）。", ("project_outputs", "unit"): "数量的单位，如 米、平方米、亩、株。",
    ("project_outputs", "output_en"): "产出的英文说法（可选；留空时英文报告显示中文）。",
    ("households", "household_id"): "户在名册中的编号。", ("households", "head_name"): "户主姓名。",
    ("households", "id_number"): "户主证件号码（只用于核对，从不显示）。",
    ("households", "members"): "家庭人口（人），1 至 30。", ("households", "category"): "贫困户属性。",
    ("households", "status"): "脱贫状态。", ("households", "exit_year"): "脱贫年度（已脱贫户）。",
    ("households", "main_cause"): "主要致贫原因。",
    ("households", "income_per_capita_yuan"): "全年人均纯收入（元/人），可以小于或等于 0。",
    ("households", "absent"): "是否长期不在村。", ("households", "food_clothing_secure"): "不愁吃、不愁穿。",
    ("households", "education_secure"): "义务教育有保障。", ("households", "medical_secure"): "基本医疗有保障。",
    ("households", "housing_secure"): "住房安全有保障。", ("households", "water_secure"): "饮水安全有保障。",
    ("households", "monitoring_type"): "监测对象类型（留空表示不是监测对象）。",
    ("households", "monitoring_since"): "纳入监测的日期。",
    ("households", "risk_eliminated_on"): "标注风险消除的日期；记录仍留在名册中。",
    ("households", "risk_types"): "识别出的风险，一项或多项。", ("households", "has_labour"): "家中是否有劳动能力的成员。",
    ("households", "rigid_spending_yuan"): "本年家庭刚性支出（医疗、上学、灾后修缮等，元/户·年）。",
    ("households", "risk_found_on"): "首次发现风险线索的日期。", ("households", "discovery_channel"): "风险发现渠道。",
    ("households", "publicised_from"): "村内公示的第一天。", ("households", "publicised_to"): "村内公示的最后一天（首尾两天都计入）。",
    ("households", "wage_income_yuan"): "人均工资性收入（元/人·年）。",
    ("households", "business_income_yuan"): "人均生产经营性净收入（生产经营性收入减生产经营性支出，元/人·年），可以小于 0。",
    ("households", "property_income_yuan"): "人均财产性收入（元/人·年）。",
    ("households", "transfer_income_yuan"): "人均转移性收入（政策性补贴、养老金、赡养费等，元/人·年）。",
    ("households", "dibao"): "是否低保对象。", ("households", "tekun"): "是否特困人员。",
    ("households", "dibao_edge"): "是否低保边缘家庭（收入低于当地低保标准的1.5倍）。",
    ("households", "rigid_spending_hardship"): "是否刚性支出困难家庭（医疗、上学等支出较大）。",
    ("members", "household_id"): "所属户的编号（须在名册中）。", ("members", "member_no"): "成员在户内的序号。",
    ("members", "relation"): "与户主关系。", ("members", "name"): "成员姓名（只用于核对，从不显示）。",
    ("members", "id_number"): "成员证件号码（只用于核对出生日期和性别，从不显示）。", ("members", "sex"): "性别。",
    ("members", "birth_date"): "出生日期。", ("members", "in_school"): "在校生状况。", ("members", "health"): "健康状况。",
    ("members", "disability_grade"): "残疾等级 1–4（1 级最重）；无残疾留空。", ("members", "labour"): "劳动技能。",
    ("members", "work_place"): "本年外出务工的区域。", ("members", "work_months"): "本年务工月数，0 至 12。",
    ("members", "medical_insured"): "是否参加城乡居民基本医疗保险。",
    ("members", "pension_insured"): "是否参加城乡居民基本养老保险。",
    ("help_measures", "household_id"): "受帮扶户的编号（须在名册中）。", ("help_measures", "measure"): "帮扶措施类型。",
    ("help_measures", "started_on"): "措施的开始日期。", ("help_measures", "ended_on"): "措施的结束日期；仍在实施的留空。",
    ("help_measures", "amount_yuan"): "发放或借贷的金额（元）；留空表示没有或未知。",
    ("evaluation_sample", "household_id"): "户编号（与名册一致）。", ("evaluation_sample", "sample"): "该户所在的样本。",
    ("evaluation_sample", "finding"): "评估人员的核查结论（已脱贫样本和未建档立卡样本）。",
    ("evaluation_sample", "satisfied"): "该户是否认可帮扶工作（调查样本）。",
    ("*", "note"): "数字的来源或其他说明。",
}
