"""The HTML page: sections, style and the Content-Security-Policy (``document.py``), the data
contract its scripts read (``data.py``, ``sounds.py``), the player's controls, the counting
lines and conductor, the meter builder, and the scripts (``js/``) and styles (``css/``)
inlined when a page is written."""
