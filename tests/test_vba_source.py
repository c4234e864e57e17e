"""The VBA text the build writes: the same wrappers xlwings writes, and strings VBA can hold."""

from __future__ import annotations

import copy
import importlib.util
import io
import re
import sys
import types

import pytest
import xlwings

from salesdeck.addin import udfs
from salesdeck.addin.vba_source import UDF_MODULE, assign, udf_functions, udf_module, vba_string


def _xlwings_udfs_module():
    """xlwings' own udfs.py, loaded on any OS with its Windows-only imports stubbed (it is only asked for text)."""
    stubs = {name: types.ModuleType(name) for name in ("pythoncom", "pywintypes", "win32com", "win32com.client")}
    stubs["pythoncom"].CoInitialize = lambda: None
    stubs["win32com.client"].Dispatch = None
    stubs["pywintypes"].com_error = Exception
    saved = {name: sys.modules.get(name) for name in stubs}
    sys.modules.update(stubs)
    try:
        spec = importlib.util.spec_from_file_location("xlwings._udfs_for_text", f"{xlwings.__path__[0]}/udfs.py")
        module = importlib.util.module_from_spec(spec)
        module.__package__ = "xlwings"
        spec.loader.exec_module(module)
        return module
    finally:
        for name, old in saved.items():
            if old is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = old


class _AddinBook:
    Name = "salesdeck.xlam"


def test_wrappers_are_the_text_xlwings_import_writes():
    xlwings_udfs = _xlwings_udfs_module()
    target = types.ModuleType("copy_of_udfs")  # xlwings marks the caller argument in place: give it copies
    for name in udfs.__all__:
        function = getattr(udfs, name)
        clone = types.FunctionType(function.__code__, function.__globals__, name, function.__defaults__,
                                   function.__closure__)
        clone.__xlfunc__ = copy.deepcopy(function.__xlfunc__)
        setattr(target, name, clone)
    text = io.StringIO()
    xlwings_udfs.generate_vba_wrapper("salesdeck.addin.udfs", target, text, _AddinBook())
    ours = udf_module(udfs, "salesdeck.addin.udfs").replace("\r\n", "\n")
    header = f'Attribute VB_Name = "{UDF_MODULE}"\n'
    assert ours.startswith(header)
    assert ours.split("\n", 3)[3] == text.getvalue()
    assert len(udf_functions(udfs)) == len(udfs.__all__)


def _decode(expression: str) -> str:
    """Evaluate the VBA string expressions vba_string writes: "..." literals and U("codes") joined by &."""
    out = []
    for literal, codes in re.findall(r'"((?:[^"]|"")*)"|U\("([\d,]+)"\)', expression):
        if codes:
            out.append("".join(chr(int(c)) for c in codes.split(",")))
        else:
            out.append(literal.replace('""', '"'))
    return "".join(out)


@pytest.mark.parametrize("text", ["Refresh", "刷新计算", "生成月例会PPT / Build deck", 'say "hi"\nnext line', "",
                                  "达成率 = actual / target (≥ 100% 绿)"])
def test_vba_strings_are_ascii_and_decode_to_the_text(text):
    expression = vba_string(text)
    assert expression.isascii()
    if text.isascii() and text.isprintable():
        assert expression == '"' + text.replace('"', '""') + '"'
    assert _decode(expression) == text


def test_long_text_is_assigned_over_short_lines():
    text = "销售" * 150 + " and more"
    lines = assign("d", text)
    assert len(lines) > 1 and all(len(line) <= 210 for line in lines)
    assert lines[0].startswith("d = ") and all(line.startswith("d = d & ") for line in lines[1:])
    assert _decode("".join(line.split(" = ", 1)[1].removeprefix("d & ") for line in lines)) == text
