// Dropping files on the box puts them into the file input; the form posts as usual.
const drop = document.getElementById('drop'), input = document.getElementById('files');
drop.addEventListener('dragover', e => { e.preventDefault(); drop.classList.add('over'); });
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', e => { e.preventDefault(); drop.classList.remove('over'); input.files = e.dataTransfer.files; });
