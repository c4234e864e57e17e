"""MS-OVBA: the VBA project inside an Office file (``xl/vbaProject.bin``), read and written without Office.

- ``compression``: the MS-OVBA compression of module sources and the ``dir`` stream;
- ``compound``: a small MS-CFB (OLE compound file) writer (``olefile`` reads);
- ``project``: a VBA project's streams, its module list, and adding or replacing modules
  as source only, so Office compiles them when the file is opened.
"""
