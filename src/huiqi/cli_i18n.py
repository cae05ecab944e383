"""The command framework in Chinese: usage errors as one Chinese line, help headings in Chinese.

Typer (and the Click it vendors) writes its own messages in English — ``No such option``,
``Invalid value for '--n'``, ``Usage:``, ``Options``. A user of huiqi reads Chinese, so
:func:`usage_error_zh` turns each kind of usage error into one Chinese line, and
:func:`install` puts Chinese headings into the help pages.

>>> from typer._click.exceptions import NoSuchOption
>>> usage_error_zh(NoSuchOption("--n", possibilities=["--year"]))
'没有选项 --n(是不是 --year?)'
"""

from __future__ import annotations

import re
from typing import Any

from typer import rich_utils
from typer._click import decorators, formatting

_DONE: list[bool] = []

# What Typer's value checks say in English, and the same in Chinese.
_VALUE_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?:Value )?'?(.*?)'? is not a valid (?:integer|int)\.?$"), "“{0}”不是整数"),
    (re.compile(r"(?:Value )?'?(.*?)'? is not a valid (?:float|number)\.?$"), "“{0}”不是数字"),
    (re.compile(r"'?(.*?)'? is not one of (.*)\.$"), "“{0}”不是可选值之一(可选:{1})"),
    (re.compile(r"(.*?) is not in the range (.*)\.$"), "{0}超出允许范围({1})"),
    (re.compile(r".*'(.*)' does not exist\.$"), "“{0}”不存在"),
    (re.compile(r".*'(.*)' is a directory\.$"), "“{0}”是文件夹,应为文件"),
    (re.compile(r".*'(.*)' is a file\.$"), "“{0}”是文件,应为文件夹"),
    (re.compile(r"Input should be greater than or equal to (.*)"), "应不小于{0}"),
    (re.compile(r"Input should be a valid integer.*"), "应为整数"),
    (re.compile(r"Input should be a valid number.*"), "应为数字"),
)


def _value_message(message: str) -> str:
    message = re.sub(r"^Value error, ", "", message.strip())
    for pattern, chinese in _VALUE_MESSAGES:
        if match := pattern.match(message):
            return chinese.format(*(g.replace("'", "") for g in match.groups()))
    return "值无效"


def _param_name(exc: Any) -> str:
    param = getattr(exc, "param", None)
    hint = getattr(exc, "param_hint", None)
    if hint:
        return " / ".join(hint) if isinstance(hint, list | tuple) else str(hint)
    if param is None:
        return ""
    opts = [o for o in getattr(param, "opts", []) if o.startswith("--")] or getattr(param, "opts", [])
    if getattr(param, "param_type_name", "") == "argument":
        return (param.name or "").upper()
    return opts[0] if opts else (param.name or "")


def usage_error_zh(exc: Exception) -> str:
    """One Chinese line for a usage error of the command framework (never English)."""
    name = type(exc).__name__
    if name == "NoSuchOption":
        option = getattr(exc, "option_name", "")
        close = sorted(getattr(exc, "possibilities", None) or [])
        return f"没有选项 {option}" + (f"(是不是 {'、'.join(close)}?)" if close else "")
    if name == "MissingParameter":
        what = "参数" if getattr(getattr(exc, "param", None), "param_type_name", "") == "argument" else "选项"
        return f"缺少{what} {_param_name(exc)}"
    if name == "BadParameter":
        return f"{_param_name(exc) or '参数'} 的值无效:{_value_message(str(getattr(exc, 'message', exc)))}"
    if name == "BadOptionUsage":
        message = str(getattr(exc, "message", ""))
        option = getattr(exc, "option_name", "")
        if "requires" in message and "argument" in message:
            return f"选项 {option} 后面需要一个值"
        if "does not take a value" in message:
            return f"选项 {option} 不接受值"
        return f"选项 {option} 用法不对"
    message = str(getattr(exc, "message", exc))
    if match := re.match(r"Got unexpected extra arguments? \((.*)\)", message):
        return f"多余的参数:{match.group(1)}"
    if match := re.match(r"No such command '(.*)'", message):
        return f"没有命令 {match.group(1)}"
    if "Missing command" in message:
        return "缺少命令"
    return "命令用法不对"


def install() -> None:
    """Chinese headings in the help pages (用法, 选项, 参数, 命令); safe to call twice."""
    if _DONE:
        return
    _DONE.append(True)
    rich_utils.ARGUMENTS_PANEL_TITLE = "参数"
    rich_utils.OPTIONS_PANEL_TITLE = "选项"
    rich_utils.COMMANDS_PANEL_TITLE = "命令"
    rich_utils.ERRORS_PANEL_TITLE = "错误"
    rich_utils.ABORTED_TEXT = "已取消。"
    rich_utils.DEFAULT_STRING = "[默认: {}]"
    rich_utils.REQUIRED_LONG_STRING = "[必填]"
    rich_utils.ENVVAR_STRING = "[环境变量: {}]"
    rich_utils.DEPRECATED_STRING = "(已弃用) "
    rich_utils.RICH_HELP = "用 [blue]'{command_path} {help_option}'[/] 查看帮助。"

    write_usage = formatting.HelpFormatter.write_usage

    def chinese_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        args = args.replace("[OPTIONS]", "[选项]").replace("COMMAND [ARGS]...", "命令 [参数]...")
        write_usage(self, prog, args, "用法: " if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = chinese_usage  # type: ignore[method-assign]

    help_option = decorators.help_option

    def chinese_help_option(param_decls: list[str]) -> Any:
        add = help_option(param_decls)

        def apply(command: Any) -> Any:
            command = add(command)
            command.params[-1].help = "显示本帮助并退出。"
            return command

        return apply

    decorators.help_option = chinese_help_option  # type: ignore[assignment]
