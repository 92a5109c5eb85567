"""Wording of the safety messages (issue 18): output locations, personal data in messages, workbook
bounds, command-line failures. Merged into :data:`village_stats.labels.MESSAGES`; keys start with ``msg_``.

Kept in its own module so that several people can add wording at once without touching the same lines.
Each entry is (Chinese, English); fields in braces are filled in by :func:`village_stats.labels.say`.
"""

from __future__ import annotations

SAFETY_MESSAGES: dict[str, tuple[str, str]] = {
    # output locations (village_stats.places)
    "msg_output_not_folder": ("输出位置是一个文件，应为文件夹（--output-dir）",
                              "the output location is a file: expected a folder (--output-dir)"),
    "msg_output_in_data": ("输出文件夹与数据文件夹 {root} 重合：输出应放在数据文件夹之外（输入数据从不被改写）",
                           "the output folder overlaps the data folder {root}: expected a folder outside the data "
                           "(outputs never touch the inputs)"),
    "msg_output_file_in_data": ("输出文件在数据文件夹 {root} 内：应写到数据文件夹之外（输入数据从不被改写）",
                                "the output file is inside the data folder {root}: expected a file outside the data "
                                "(outputs never touch the inputs)"),
    "msg_output_escapes": ("输出路径跳出了输出文件夹 {root}：每一级名称应为普通名称",
                           "the output path leaves the output folder {root}: expected plain names"),
    "msg_bad_name": ("{what}不能用作文件夹名称（{kind}）：应为不含 /、\\、控制字符、不以“.”开头、不超过 {limit} 字节的名称",
                     "{what} cannot name a folder ({kind}): expected a name without /, \\ or control characters, "
                     "not starting with '.', at most {limit} bytes"),
    "msg_bad_village_id": ("村编号 '{id}' 无效：应为小写字母、数字、_ 或 -，不超过 {limit} 个字符（实为 {n} 个）",
                           "village id '{id}' is not valid: expected [a-z0-9_-]+, at most {limit} characters ({n} "
                           "given)"),
    "msg_reserved_id": ("村编号 '{id}' 是保留名称（{reserved} 报告的输出文件夹）：请换一个编号",
                        "village id '{id}' is reserved (the output folder of the {reserved} report): expected "
                        "another id"),
    "msg_output_not_ours": ("此处有一个不是由报告运行生成的文件夹：应只有报告输出（未做任何改动；请移走该文件夹或另选 "
                            "--output-dir）",
                            "a folder that no run made is in the way: expected report outputs only (nothing was "
                            "changed; move the folder or choose another --output-dir)"),
    "msg_output_parent_missing": ("输出文件所在的文件夹不存在：应为已有的文件夹（--output）",
                                  "the folder of the output file does not exist: expected an existing folder "
                                  "(--output)"),
    "msg_output_is_folder": ("输出位置是一个文件夹：应为文件（--output）",
                             "the output location is a folder: expected a file (--output)"),
    # why an OS call failed (village_stats.cli.common.os_reason), by errno name
    "msg_errno_ENAMETOOLONG": ("路径中的名称过长（每级最多 255 字节）", "a name in the path is too long (at most 255 bytes "
                               "per name)"),
    "msg_errno_ENOTDIR": ("路径中的某一级是文件而不是文件夹", "a part of the path is a file, not a folder"),
    "msg_errno_EISDIR": ("这是一个文件夹，应为文件", "this is a folder: expected a file"),
    "msg_errno_ELOOP": ("符号链接循环", "too many levels of symbolic links"),
    "msg_errno_ENOENT": ("文件或文件夹不存在", "no such file or folder"),
    "msg_errno_EACCES": ("没有权限", "Permission denied"),
    "msg_errno_EPERM": ("不允许的操作", "operation not permitted"),
    "msg_errno_ENOSPC": ("磁盘空间不足", "no space left on the disk"),
    "msg_errno_EROFS": ("文件系统只读", "read-only file system"),
    "msg_errno_EDQUOT": ("超出磁盘配额", "disk quota exceeded"),
    # command-line usage (village_stats.cli.common)
    "msg_usage": ("命令行参数有误：{detail}（见 --help）", "bad command line: {detail} (see --help)"),
    # workbook bounds (village_stats.readers)
    "msg_sheet_too_big": ("工作表的范围到 {cell_ref}（{rows} 行 × {columns} 列）：应不超过 {limit} 个单元格"
                          "（请删除远处的空白或误填单元格）",
                          "the sheet reaches {cell_ref} ({rows} rows x {columns} columns): expected at most {limit} "
                          "cells (delete stray cells far from the table)"),
    "msg_sheet_xml_too_big": ("工作表解压后超过 {limit} 字节：应为较小的工作表", "the sheet inflates to more than {limit} "
                              "bytes: expected a smaller sheet"),
    # personal data (village_stats.personal): what a value is, never the value
    "msg_value_id_number": ("一个 {n} 位身份证号码（个人信息，不显示）", "an identity number of {n} digits (personal data, not shown)"),
    "msg_value_number": ("一个 {n} 位数字（可能是个人信息，不显示）", "a number of {n} digits (possibly personal data, not shown)"),
    "msg_value_text": ("一段 {n} 个字符的文字（可能是个人信息，不显示）",
                       "a text of {n} characters (possibly personal data, not shown)"),
    "msg_ids_digested": ("     户编号是身份证号码（或姓名）：读入时已换成加密摘要（# 加 10 位十六进制），各期一致",
                         "     household ids are identity numbers (or names): replaced on loading by keyed digests "
                         "(# and 10 hex digits), the same in every period"),
    "msg_value_personal": ("一个不显示的值（个人信息）", "a value that is not shown (personal data)"),
}
