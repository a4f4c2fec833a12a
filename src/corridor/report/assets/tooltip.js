(function(){
  var tip=document.createElement('div');tip.className='tcd-tip';
  document.addEventListener('DOMContentLoaded',function(){document.body.appendChild(tip);});
  document.addEventListener('mouseover',function(e){
    var t=e.target.closest?e.target.closest('[data-tip]'):null;
    if(!t){tip.style.display='none';return;}
    tip.textContent=t.getAttribute('data-tip');tip.style.display='block';});
  document.addEventListener('mousemove',function(e){
    tip.style.left=(e.clientX+12)+'px';tip.style.top=(e.clientY+12)+'px';});
})();
